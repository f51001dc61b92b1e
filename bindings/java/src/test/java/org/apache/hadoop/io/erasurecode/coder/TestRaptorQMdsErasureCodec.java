package org.apache.hadoop.io.erasurecode.coder;

import org.junit.Before;

/** Every test of TestRaptorQErasureCodec, with the raptorq-mds codec. */
public class TestRaptorQMdsErasureCodec extends TestRaptorQErasureCodec {
  @Before
  @Override
  public void setup() {
    super.setup();
    this.codecName = "raptorq-mds";
  }
}
