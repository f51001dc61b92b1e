package org.apache.hadoop.io.erasurecode.coder;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.erasurecode.CodecUtil;
import org.apache.hadoop.io.erasurecode.ECSchema;
import org.apache.hadoop.io.erasurecode.ErasureCodecOptions;
import org.apache.hadoop.io.erasurecode.codec.RaptorQErasureCodec;
import org.junit.Before;
import org.junit.Test;

/**
 * Hadoop's block-level coder tests (TestErasureCoderBase from the
 * hadoop-common tests jar) against RaptorQErasureCodec's encoder and
 * decoder, obtained as Hadoop obtains a custom codec's: CodecUtil reading
 * the codec class from {@code io.erasurecode.codec.<codec>.coder}.
 */
public class TestRaptorQErasureCodec extends TestErasureCoderBase {
  /** The schema's codec name, which picks the raw coders. */
  protected String codecName = "raptorq";

  @Before
  public void setup() {
    this.numChunksInBlock = 10;
  }

  @Override
  protected ErasureCoder createEncoder() {
    return CodecUtil.createEncoder(configured(), options());
  }

  @Override
  protected ErasureCoder createDecoder() {
    return CodecUtil.createDecoder(configured(), options());
  }

  private Configuration configured() {
    Configuration conf = getConf() == null ? new Configuration() : new Configuration(getConf());
    conf.set("io.erasurecode.codec." + codecName + ".coder", RaptorQErasureCodec.class.getName());
    return conf;
  }

  private ErasureCodecOptions options() {
    return new ErasureCodecOptions(new ECSchema(codecName, numDataUnits, numParityUnits));
  }

  @Test
  public void testCodingNoDirectBuffer_6x3_erasing_d0_p0() {
    prepare(null, 6, 3, new int[] {0}, new int[] {0});
    testCoding(false);
  }

  @Test
  public void testCodingDirectBuffer_6x3_erasing_d1_d4_p2() {
    prepare(null, 6, 3, new int[] {1, 4}, new int[] {2});
    testCoding(true);
  }

  @Test
  public void testCodingBothBuffers_10x4_erasing_d0_p0() {
    prepare(null, 10, 4, new int[] {0}, new int[] {0});
    testCoding(true);
    testCoding(false);
  }

  @Test
  public void testCodingDirectBuffer_10x4_erasing_d3_d5() {
    prepare(null, 10, 4, new int[] {3, 5}, new int[0]);
    testCoding(true);
  }

  @Test
  public void testCodingDirectBuffer_10x4_erasing_d2_d6_d9_p1() {
    prepare(null, 10, 4, new int[] {2, 6, 9}, new int[] {1});
    testCoding(true);
  }

  @Test
  public void testCodingNoDirectBuffer_10x4_erasing_p0_p1_p2_p3() {
    prepare(null, 10, 4, new int[0], new int[] {0, 1, 2, 3});
    testCoding(false);
  }

  @Test
  public void testCodingDirectBuffer_3x2_erasing_d0_p1() {
    prepare(null, 3, 2, new int[] {0}, new int[] {1});
    testCoding(true);
  }
}
