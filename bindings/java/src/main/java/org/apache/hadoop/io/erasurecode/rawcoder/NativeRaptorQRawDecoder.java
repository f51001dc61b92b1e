package org.apache.hadoop.io.erasurecode.rawcoder;

import java.io.IOException;

import org.apache.hadoop.io.erasurecode.ErasureCoderOptions;

/**
 * Hadoop's raw decoder over librq: rebuilds the erased units asked for from
 * every unit given (not only k of them, which rescues the few patterns of
 * the raptorq scheme that k survivors cannot rebuild when more are given).
 * An undecodable pattern throws an IOException naming it.
 */
public class NativeRaptorQRawDecoder extends RawErasureDecoder {
  private final NativeRaptorQHandle coder;

  public NativeRaptorQRawDecoder(ErasureCoderOptions options, int scheme) {
    super(options);
    coder = new NativeRaptorQHandle(getNumDataUnits(), getNumParityUnits(), scheme);
  }

  @Override
  protected void doDecode(ByteBufferDecodingState state) throws IOException {
    if (state.inputs.length != getNumAllUnits()) {
      throw new IllegalArgumentException("expected " + getNumAllUnits() + " inputs, got " + state.inputs.length);
    }
    int[] inOffsets = NativeRaptorQRawEncoder.positions(state.inputs);
    int[] outOffsets = NativeRaptorQRawEncoder.positions(state.outputs);
    int len = state.decodeLength;
    coder.with(h -> NativeRaptorQ.decode(h, state.inputs, inOffsets, state.erasedIndexes, state.outputs,
        outOffsets, len));
  }

  @Override
  protected void doDecode(ByteArrayDecodingState state) throws IOException {
    ByteBufferDecodingState direct = state.convertToByteBufferState();
    doDecode(direct);
    for (int i = 0; i < state.outputs.length; i++) {
      direct.outputs[i].get(state.outputs[i], state.outputOffsets[i], state.decodeLength);
    }
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
