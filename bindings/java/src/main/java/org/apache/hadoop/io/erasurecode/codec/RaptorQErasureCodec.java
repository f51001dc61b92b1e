package org.apache.hadoop.io.erasurecode.codec;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.erasurecode.ErasureCodecOptions;
import org.apache.hadoop.io.erasurecode.coder.ErasureDecoder;
import org.apache.hadoop.io.erasurecode.coder.ErasureEncoder;
import org.apache.hadoop.io.erasurecode.coder.RaptorQDecoder;
import org.apache.hadoop.io.erasurecode.coder.RaptorQEncoder;

/**
 * The RaptorQ erasure codec: block-level coders whose raw coders come from
 * CodecUtil for the schema's codec name ("raptorq" or "raptorq-mds").
 * Hadoop finds a custom codec's class in the configuration key
 * {@code io.erasurecode.codec.<codec>.coder}, so CodecUtil.createEncoder
 * needs {@code io.erasurecode.codec.raptorq.coder} (or
 * {@code io.erasurecode.codec.raptorq-mds.coder}) set to this class's name.
 */
public class RaptorQErasureCodec extends ErasureCodec {
  private final Configuration conf;

  public RaptorQErasureCodec(Configuration conf, ErasureCodecOptions options) {
    super(conf, options);
    this.conf = conf;
  }

  @Override
  public ErasureEncoder createEncoder() {
    ErasureEncoder encoder = new RaptorQEncoder(getCoderOptions(), getSchema().getCodecName());
    encoder.setConf(conf);
    return encoder;
  }

  @Override
  public ErasureDecoder createDecoder() {
    ErasureDecoder decoder = new RaptorQDecoder(getCoderOptions(), getSchema().getCodecName());
    decoder.setConf(conf);
    return decoder;
  }
}
