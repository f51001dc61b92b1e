package org.apache.hadoop.io.erasurecode.rawcoder;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.apache.hadoop.io.erasurecode.ErasureCoderOptions;

/**
 * Hadoop's raw encoder over librq: parity j of a stripe is the RaptorQ
 * repair symbol with the scheme's j-th parity ESI of the block whose k
 * source symbols are the data units (rq_ec.h). Direct buffers go to the
 * native coder as they are; byte arrays are copied into direct buffers.
 */
public class NativeRaptorQRawEncoder extends RawErasureEncoder {
  private final NativeRaptorQHandle coder;

  public NativeRaptorQRawEncoder(ErasureCoderOptions options, int scheme) {
    super(options);
    coder = new NativeRaptorQHandle(getNumDataUnits(), getNumParityUnits(), scheme);
  }

  @Override
  protected void doEncode(ByteBufferEncodingState state) throws IOException {
    int[] inOffsets = positions(state.inputs);
    int[] outOffsets = positions(state.outputs);
    int len = state.encodeLength;
    coder.with(h -> NativeRaptorQ.encode(h, state.inputs, inOffsets, state.outputs, outOffsets, len));
  }

  @Override
  protected void doEncode(ByteArrayEncodingState state) throws IOException {
    ByteBufferEncodingState direct = state.convertToByteBufferState();
    doEncode(direct);
    for (int i = 0; i < state.outputs.length; i++) {
      direct.outputs[i].get(state.outputs[i], state.outputOffsets[i], state.encodeLength);
    }
  }

  static int[] positions(ByteBuffer[] buffers) {
    int[] p = new int[buffers.length];
    for (int i = 0; i < buffers.length; i++) {
      p[i] = buffers[i] == null ? 0 : buffers[i].position();
    }
    return p;
  }

  /** The ESI parity unit j has. */
  public int parityEsi(int j) throws IOException {
    return coder.parityEsi(j);
  }

  @Override
  public boolean preferDirectBuffer() {
    return true;
  }

  @Override
  public void release() {
    coder.release();
  }
}
