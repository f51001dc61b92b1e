package org.apache.hadoop.io.erasurecode.rawcoder;

/**
 * Codec "raptorq-mds", coder "raptorq-mds_native": parity ESIs searched so
 * that any m lost units are rebuilt (k <= 20 for m <= 3, k <= 15 for m = 4).
 */
public class RaptorQMdsRawErasureCoderFactory extends RaptorQRawErasureCoderFactory {
  public static final String MDS_CODEC_NAME = "raptorq-mds";
  public static final String MDS_CODER_NAME = "raptorq-mds_native";

  @Override
  protected int scheme() {
    return NativeRaptorQ.SCHEME_RAPTORQ_MDS;
  }

  @Override
  public String getCoderName() {
    return MDS_CODER_NAME;
  }

  @Override
  public String getCodecName() {
    return MDS_CODEC_NAME;
  }
}
