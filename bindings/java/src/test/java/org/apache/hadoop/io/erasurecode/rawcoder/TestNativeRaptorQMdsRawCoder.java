package org.apache.hadoop.io.erasurecode.rawcoder;

import org.junit.Before;

/** Every test of TestNativeRaptorQRawCoder, against the raptorq-mds_native coder. */
public class TestNativeRaptorQMdsRawCoder extends TestNativeRaptorQRawCoder {
  @Before
  @Override
  public void setup() {
    this.encoderFactoryClass = RaptorQMdsRawErasureCoderFactory.class;
    this.decoderFactoryClass = RaptorQMdsRawErasureCoderFactory.class;
    setAllowDump(true);
  }
}
