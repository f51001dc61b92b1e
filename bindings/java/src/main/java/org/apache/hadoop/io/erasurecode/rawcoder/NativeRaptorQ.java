package org.apache.hadoop.io.erasurecode.rawcoder;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The JNI side of librq's k+m raw coder (rq_jni, include/rq/rq_ec.h). The
 * library is loaded from the path in the system property
 * {@code librq.jni.library} if set, else by name ({@code rq_jni}) from
 * {@code java.library.path}.
 */
public final class NativeRaptorQ {
  /** The ESI schemes of rq_ec.h, by their native numbers. */
  public static final int SCHEME_RAPTORQ = 0;
  public static final int SCHEME_RAPTORQ_MDS = 1;

  private static final Throwable LOAD_ERROR = load();

  private NativeRaptorQ() {
  }

  private static Throwable load() {
    try {
      String path = System.getProperty("librq.jni.library");
      if (path != null && !path.isEmpty()) {
        System.load(path);
      } else {
        System.loadLibrary("rq_jni");
      }
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  /** Whether the native library was loaded. */
  public static boolean isLoaded() {
    return LOAD_ERROR == null;
  }

  /** Throws, saying why, when the native library could not be loaded. */
  static void requireLoaded() {
    if (LOAD_ERROR != null) {
      throw new RuntimeException("librq's JNI library (rq_jni) is not loaded: " + LOAD_ERROR, LOAD_ERROR);
    }
  }

  static native long create(int k, int m, int scheme) throws IOException;

  static native void destroy(long handle);

  static native int parityEsi(long handle, int j) throws IOException;

  static native void encode(long handle, ByteBuffer[] inputs, int[] inputOffsets,
      ByteBuffer[] outputs, int[] outputOffsets, int length) throws IOException;

  static native void decode(long handle, ByteBuffer[] inputs, int[] inputOffsets,
      int[] erasedIndexes, ByteBuffer[] outputs, int[] outputOffsets, int length) throws IOException;
}
