#!/usr/bin/env bash
# The Go link test: lays librq_library.a and rq-library.h out as rq-go's tree
# has them (lib/linux/amd64/, include/) beside a copy of this folder, and
# runs `go test` there, offline, with the caches under the build tree.
#   tests/go/run_go_test.sh ARCHIVE HEADER WORK_DIR
set -euo pipefail
archive=$1 header=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work/src"
mkdir -p "$work/src/lib/linux/amd64" "$work/src/include" "$work/cache" "$work/gopath"
cp "$here"/go.mod "$here"/*.go "$work/src/"
cp "$archive" "$work/src/lib/linux/amd64/librq_library.a"
cp "$header" "$work/src/include/rq-library.h"
cd "$work/src"
export GOCACHE="$work/cache" GOPATH="$work/gopath" GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=1
exec go test -count=1 -v ./...
