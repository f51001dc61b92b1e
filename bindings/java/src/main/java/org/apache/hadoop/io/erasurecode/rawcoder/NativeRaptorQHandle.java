package org.apache.hadoop.io.erasurecode.rawcoder;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One native coder, shared by the encoder and decoder classes: coding holds
 * the read lock, release the write lock, so a coder is never freed under a
 * call and a call after release fails with an IOException saying "closed".
 */
final class NativeRaptorQHandle {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private long handle;
  private final String emptyShape;

  /**
   * A coder for k + m units. Hadoop makes coders of 0 + 0 units in places
   * (its release tests); such a coder holds nothing native, releases fine
   * and refuses to code. Other shapes librq refuses throw at once.
   */
  NativeRaptorQHandle(int k, int m, int scheme) {
    NativeRaptorQ.requireLoaded();
    emptyShape = k == 0 || m == 0 ? k + "+" + m : null;
    if (emptyShape != null) {
      return;
    }
    try {
      handle = NativeRaptorQ.create(k, m, scheme);
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Runs a native call with the handle, or throws when released. */
  interface Call {
    void run(long handle) throws IOException;
  }

  void with(Call call) throws IOException {
    lock.readLock().lock();
    try {
      if (emptyShape != null) {
        throw new IOException("a RaptorQ coder of " + emptyShape + " units codes nothing");
      }
      if (handle == 0) {
        throw new IOException("the RaptorQ coder is closed (released)");
      }
      call.run(handle);
    } finally {
      lock.readLock().unlock();
    }
  }

  int parityEsi(int j) throws IOException {
    int[] esi = new int[1];
    with(h -> esi[0] = NativeRaptorQ.parityEsi(h, j));
    return esi[0];
  }

  /** Frees the native coder; later calls do nothing. */
  void release() {
    lock.writeLock().lock();
    try {
      if (handle != 0) {
        NativeRaptorQ.destroy(handle);
        handle = 0;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
