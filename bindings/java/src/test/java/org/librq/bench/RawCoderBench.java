package org.librq.bench;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.apache.hadoop.io.erasurecode.ErasureCoderOptions;
import org.apache.hadoop.io.erasurecode.rawcoder.RSRawErasureCoderFactory;
import org.apache.hadoop.io.erasurecode.rawcoder.RaptorQMdsRawErasureCoderFactory;
import org.apache.hadoop.io.erasurecode.rawcoder.RaptorQRawErasureCoderFactory;
import org.apache.hadoop.io.erasurecode.rawcoder.RawErasureCoderFactory;
import org.apache.hadoop.io.erasurecode.rawcoder.RawErasureDecoder;
import org.apache.hadoop.io.erasurecode.rawcoder.RawErasureEncoder;

/**
 * The Java path's speed: MB/s of data units coded through Hadoop's raw coder
 * API by librq's JNI coders (raptorq_native, raptorq-mds_native; direct
 * buffers, which they prefer) and by Hadoop's pure-Java Reed-Solomon coder
 * (RSRawEncoder/RSRawDecoder, rs_java; heap arrays, which it prefers), in
 * one run: for each shape and unit size the coders take turns, round after
 * round (each round starting with the next coder, so that none always
 * follows the same one), and the median of the rounds is printed with its
 * ratio to rs_java.
 * Decoding rebuilds the first m data units from the other k units.
 *
 * Usage: RawCoderBench [rounds] [seconds-per-measurement]
 */
public final class RawCoderBench {
  private static final int[][] SHAPES = {{6, 3}, {10, 4}};
  private static final int[] UNITS = {64 * 1024, 1024 * 1024};

  private RawCoderBench() {
  }

  /** One coder's inputs and outputs for one shape and unit size. */
  private static final class Subject {
    final String name;
    final RawErasureEncoder encoder;
    final RawErasureDecoder decoder;
    final boolean direct;
    final ByteBuffer[] data;
    final ByteBuffer[] parity;
    final ByteBuffer[] survivors;
    final int[] erased;
    final ByteBuffer[] rebuilt;
    final List<Double> encodeMBs = new ArrayList<>();
    final List<Double> decodeMBs = new ArrayList<>();

    Subject(String name, RawErasureCoderFactory factory, int k, int m, int unit, boolean direct) throws Exception {
      this.name = name;
      ErasureCoderOptions options = new ErasureCoderOptions(k, m);
      this.encoder = factory.createEncoder(options);
      this.decoder = factory.createDecoder(options);
      this.direct = direct;
      Random random = new Random(k * 31 + unit);
      data = buffers(k, unit);
      for (ByteBuffer b : data) {
        byte[] bytes = new byte[unit];
        random.nextBytes(bytes);
        b.put(bytes).flip();
      }
      parity = buffers(m, unit);
      encodeOnce();
      survivors = new ByteBuffer[k + m];
      for (int i = m; i < k; i++) {
        survivors[i] = data[i];
      }
      for (int j = 0; j < m; j++) {
        survivors[k + j] = parity[j];
      }
      erased = new int[m];
      for (int i = 0; i < m; i++) {
        erased[i] = i;
      }
      rebuilt = buffers(m, unit);
      decodeOnce();
      for (int i = 0; i < m; i++) {
        rebuilt[i].rewind();
        data[i].rewind();
        if (!rebuilt[i].equals(data[i])) {
          throw new IllegalStateException(name + " rebuilt data unit " + i + " wrong");
        }
      }
    }

    private ByteBuffer[] buffers(int n, int unit) {
      ByteBuffer[] out = new ByteBuffer[n];
      for (int i = 0; i < n; i++) {
        out[i] = direct ? ByteBuffer.allocateDirect(unit) : ByteBuffer.allocate(unit);
      }
      return out;
    }

    void encodeOnce() throws Exception {
      for (ByteBuffer b : data) {
        b.rewind();
      }
      for (ByteBuffer b : parity) {
        b.clear();
      }
      encoder.encode(data, parity); // moves the inputs' positions, not the outputs'
    }

    void decodeOnce() throws Exception {
      for (ByteBuffer b : survivors) {
        if (b != null) {
          b.rewind();
        }
      }
      for (ByteBuffer b : rebuilt) {
        b.clear();
      }
      decoder.decode(survivors, erased, rebuilt);
    }

    void release() {
      encoder.release();
      decoder.release();
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  /** MB/s of k data units per call, over at least `seconds`. */
  private static double measure(Step step, long bytesPerCall, double seconds) throws Exception {
    long calls = 0;
    long start = System.nanoTime();
    long until = start + (long) (seconds * 1e9);
    long now;
    do {
      step.run();
      calls++;
      now = System.nanoTime();
    } while (now < until);
    return calls * (double) bytesPerCall / ((now - start) / 1e9) / 1e6;
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 0.4;
    System.out.printf("Java raw coders, MB/s of data units (median of %d rounds, %.1f s each, coders alternating)%n",
        rounds, seconds);
    System.out.printf("%-6s %8s %-20s %10s %10s %14s %14s%n", "shape", "unit", "coder", "encode", "decode",
        "enc/rs_java", "dec/rs_java");
    for (int[] shape : SHAPES) {
      for (int unit : UNITS) {
        runCell(shape[0], shape[1], unit, rounds, seconds);
      }
    }
  }

  private static void runCell(int k, int m, int unit, int rounds, double seconds) throws Exception {
    List<Subject> subjects = Arrays.asList(
        new Subject("rs_java", new RSRawErasureCoderFactory(), k, m, unit, false),
        new Subject("raptorq_native", new RaptorQRawErasureCoderFactory(), k, m, unit, true),
        new Subject("raptorq-mds_native", new RaptorQMdsRawErasureCoderFactory(), k, m, unit, true));
    long bytes = (long) k * unit;
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < subjects.size(); i++) {
        Subject s = subjects.get((r + i) % subjects.size()); // each round starts with the next coder
        s.encodeMBs.add(measure(s::encodeOnce, bytes, seconds));
        s.decodeMBs.add(measure(s::decodeOnce, bytes, seconds));
      }
    }
    double rsEncode = median(subjects.get(0).encodeMBs);
    double rsDecode = median(subjects.get(0).decodeMBs);
    for (Subject s : subjects) {
      double encode = median(s.encodeMBs);
      double decode = median(s.decodeMBs);
      System.out.printf("%-6s %8d %-20s %10.0f %10.0f %14.2f %14.2f%n", k + "+" + m, unit, s.name, encode, decode,
          encode / rsEncode, decode / rsDecode);
      s.release();
    }
  }
}
