package org.apache.hadoop.io.erasurecode.rawcoder;

import org.apache.hadoop.io.erasurecode.ErasureCoderOptions;

/** Codec "raptorq", coder "raptorq_native": parity j is ESI k + j. */
public class RaptorQRawErasureCoderFactory implements RawErasureCoderFactory {
  public static final String CODEC_NAME = "raptorq";
  public static final String CODER_NAME = "raptorq_native";

  protected int scheme() {
    return NativeRaptorQ.SCHEME_RAPTORQ;
  }

  @Override
  public RawErasureEncoder createEncoder(ErasureCoderOptions options) {
    return new NativeRaptorQRawEncoder(options, scheme());
  }

  @Override
  public RawErasureDecoder createDecoder(ErasureCoderOptions options) {
    return new NativeRaptorQRawDecoder(options, scheme());
  }

  @Override
  public String getCoderName() {
    return CODER_NAME;
  }

  @Override
  public String getCodecName() {
    return CODEC_NAME;
  }
}
