package org.apache.hadoop.io.erasurecode.coder;

import org.apache.hadoop.io.erasurecode.CodecUtil;
import org.apache.hadoop.io.erasurecode.ECBlockGroup;
import org.apache.hadoop.io.erasurecode.ErasureCoderOptions;
import org.apache.hadoop.io.erasurecode.rawcoder.RawErasureEncoder;

/** Block-group encoder over the RaptorQ raw encoder CodecUtil picks for the codec. */
public class RaptorQEncoder extends ErasureEncoder {
  private final String codecName;
  private RawErasureEncoder raw;

  public RaptorQEncoder(ErasureCoderOptions options, String codecName) {
    super(options);
    this.codecName = codecName;
  }

  @Override
  protected ErasureCodingStep prepareEncodingStep(ECBlockGroup blockGroup) {
    if (raw == null) {
      raw = CodecUtil.createRawEncoder(getConf(), codecName, getOptions());
    }
    return new ErasureEncodingStep(getInputBlocks(blockGroup), getOutputBlocks(blockGroup), raw);
  }

  @Override
  public boolean preferDirectBuffer() {
    return true;
  }

  @Override
  public void release() {
    if (raw != null) {
      raw.release();
    }
  }
}
