#!/usr/bin/env bash
# The Hadoop raw coders' speed through Java: librq's JNI coders against
# Hadoop's pure-Java Reed-Solomon coder, in one run (RawCoderBench in
# bindings/java/src/test). Needs a build with the JNI library (cmake, then
# cmake --build) and Maven.
#
# Usage: bench/java_coder_bench.sh [BUILD_DIR] [ROUNDS] [SECONDS]
#   BUILD_DIR  the CMake build holding bindings/java/librq_jni.so (default build)
#   ROUNDS     rounds per cell, the coders taking turns (default 5)
#   SECONDS    seconds per measurement (default 0.4)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
rounds=${2:-5}
seconds=${3:-0.4}
jni=$build/bindings/java/librq_jni.so
[ -f "$jni" ] || { echo "java_coder_bench: no $jni (build librq first)" >&2; exit 2; }
work=$build/java-bench
mvn -B -q -f "$root/bindings/java/pom.xml" -Dlibrq.build.dir="$work" test-compile \
    dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt"
exec java -Dlibrq.jni.library="$jni" \
    -cp "$work/classes:$work/test-classes:$(cat "$work/classpath.txt")" \
    org.librq.bench.RawCoderBench "$rounds" "$seconds"
