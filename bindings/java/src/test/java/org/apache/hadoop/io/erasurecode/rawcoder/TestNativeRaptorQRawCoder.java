package org.apache.hadoop.io.erasurecode.rawcoder;

import org.junit.Before;
import org.junit.Test;

/**
 * Hadoop's own raw coder tests (TestRSRawCoderBase from the hadoop-common
 * tests jar: the 6+3 and 10+4 erasure patterns, direct and heap buffers,
 * bad inputs and outputs, too many erasures, input positions), run against
 * the raptorq_native coder, each case mixed and twice like Hadoop's test of
 * its native ISA-L coder.
 */
public class TestNativeRaptorQRawCoder extends TestRSRawCoderBase {
  @Before
  public void setup() {
    this.encoderFactoryClass = RaptorQRawErasureCoderFactory.class;
    this.decoderFactoryClass = RaptorQRawErasureCoderFactory.class;
    setAllowDump(true);
  }

  @Test
  public void testAfterReleaseBoth() throws Exception {
    prepare(null, 6, 3, null, null);
    testAfterRelease();
    prepare(null, 10, 4, null, null);
    testAfterRelease();
  }

  @Test
  public void testIdempotentReleaseOfBoth() {
    prepare(null, 6, 3, null, null);
    testIdempotentReleases();
  }
}
