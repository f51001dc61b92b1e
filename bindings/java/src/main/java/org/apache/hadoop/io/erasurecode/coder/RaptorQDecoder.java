package org.apache.hadoop.io.erasurecode.coder;

import org.apache.hadoop.io.erasurecode.CodecUtil;
import org.apache.hadoop.io.erasurecode.ECBlock;
import org.apache.hadoop.io.erasurecode.ECBlockGroup;
import org.apache.hadoop.io.erasurecode.ErasureCoderOptions;
import org.apache.hadoop.io.erasurecode.rawcoder.RawErasureDecoder;

/** Block-group decoder over the RaptorQ raw decoder CodecUtil picks for the codec. */
public class RaptorQDecoder extends ErasureDecoder {
  private final String codecName;
  private RawErasureDecoder raw;

  public RaptorQDecoder(ErasureCoderOptions options, String codecName) {
    super(options);
    this.codecName = codecName;
  }

  @Override
  protected ErasureCodingStep prepareDecodingStep(ECBlockGroup blockGroup) {
    if (raw == null) {
      raw = CodecUtil.createRawDecoder(getConf(), codecName, getOptions());
    }
    ECBlock[] inputs = getInputBlocks(blockGroup);
    return new ErasureDecodingStep(inputs, getErasedIndexes(inputs), getOutputBlocks(blockGroup), raw);
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
