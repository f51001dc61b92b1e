package org.apache.hadoop.hdfs;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.protocol.AddErasureCodingPolicyResponse;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.ErasureCodingPolicy;
import org.apache.hadoop.hdfs.protocol.ExtendedBlock;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.protocol.LocatedStripedBlock;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.hdfs.util.ECPolicyLoader;
import org.apache.hadoop.hdfs.util.StripedBlockUtil;
import org.apache.hadoop.io.erasurecode.ECSchema;
import org.apache.hadoop.io.erasurecode.ErasureCoderOptions;
import org.apache.hadoop.io.erasurecode.rawcoder.RaptorQMdsRawErasureCoderFactory;
import org.apache.hadoop.io.erasurecode.rawcoder.RaptorQRawErasureCoderFactory;
import org.apache.hadoop.io.erasurecode.rawcoder.RawErasureCoderFactory;
import org.apache.hadoop.io.erasurecode.rawcoder.RawErasureEncoder;
import org.junit.After;
import org.junit.Test;

/**
 * HDFS end to end with librq's codecs: a MiniDFSCluster of 9 datanodes, the
 * erasure coding policies of etc/raptorq-ec-policies.xml added as
 * {@code hdfs ec -addPolicies} adds them, files under the 6+3 ones (raptorq,
 * raptorq-mds; 1 MiB cells)
 * written through HDFS's striped output stream, their parity blocks on the
 * datanodes compared with what our encoder makes of the same cells, then
 * read back byte-exact (streamed and positional) before and after stopping
 * the 3 datanodes that hold data units 0, 2 and 4 of the raptorq file's
 * first block group, whose bytes then exist only as our decoder rebuilds
 * them.
 */
public class TestRaptorQStripedFiles {
  private static final int K = 6;
  private static final int M = 3;
  private static final int CELL = 1024 * 1024;
  private static final int CELLS_PER_BLOCK = 2;
  private static final int BLOCK = CELLS_PER_BLOCK * CELL;
  /** Two block groups, the second a partial stripe ending in a partial cell. */
  private static final int FILE_LEN = K * BLOCK + 3 * CELL + 12345;
  /** The policies users add with {@code hdfs ec -addPolicies}, relative to this module. */
  private static final String POLICY_FILE = "etc/raptorq-ec-policies.xml";

  private MiniDFSCluster cluster;
  private DistributedFileSystem fs;

  private void startCluster(int datanodes) throws IOException {
    Configuration conf = new HdfsConfiguration();
    conf.setLong(DFSConfigKeys.DFS_BLOCK_SIZE_KEY, BLOCK);
    conf.setBoolean(DFSConfigKeys.DFS_NAMENODE_REDUNDANCY_CONSIDERLOAD_KEY, false);
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(datanodes).build();
    cluster.waitActive();
    fs = cluster.getFileSystem();
  }

  @After
  public void stopCluster() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  @Test
  public void writesAndReadsBackAfterLosingThreeDatanodes() throws Exception {
    startCluster(K + M);
    addPoliciesAsEcAdminDoes();
    Path compatible = new Path("/raptorq/file");
    Path mds = new Path("/raptorq-mds/file");
    byte[] compatibleData = writeStriped("RAPTORQ-6-3-1024k", "raptorq", compatible, FILE_LEN, 1);
    byte[] mdsData = writeStriped("RAPTORQ-MDS-6-3-1024k", "raptorq-mds", mds, FILE_LEN, 2);

    assertParitiesAreOurs(compatible, compatibleData, new RaptorQRawErasureCoderFactory());
    assertParitiesAreOurs(mds, mdsData, new RaptorQMdsRawErasureCoderFactory());
    assertReadsBack(compatible, compatibleData);
    assertReadsBack(mds, mdsData);

    stopDatanodesHolding(compatible, 0, 2, 4);
    assertEquals(K + M - 3, cluster.getDataNodes().size());
    assertReadsBack(compatible, compatibleData);
    assertReadsBack(mds, mdsData);
  }

  /**
   * HDFS's reader hands the decoder exactly k units: the surviving data units,
   * then parities in index order. With raptorq 10+4 and units 0, 8 and 11
   * lost it hands over 1-7, 9, 10 and 12 and leaves 13 out, and those ten are
   * one of the four sets that cannot rebuild the rest (rq ec check --list:
   * 0 8 11 13), so the read fails although the eleven survivors would do.
   * raptorq-mds 10+4 loses nothing to any three lost units.
   */
  @Test
  public void raptorq10x4FailsWhereHadoopsReaderPicksABadSetAndRaptorqMdsDoesNot() throws Exception {
    startCluster(14);
    addPoliciesAsEcAdminDoes();
    AddErasureCodingPolicyResponse[] answer = fs.addErasureCodingPolicies(
        new ErasureCodingPolicy[] {new ErasureCodingPolicy(new ECSchema("raptorq", 10, 4), CELL)});
    assertTrue(answer[0].toString(), answer[0].isSucceed());
    int length = 10 * CELL + 4321;
    Path compatible = new Path("/raptorq-10-4/file");
    Path mds = new Path("/raptorq-mds-10-4/file");
    byte[] compatibleData = writeStriped("RAPTORQ-10-4-1024k", "raptorq", compatible, length, 3);
    byte[] mdsData = writeStriped("RAPTORQ-MDS-10-4-1024k", "raptorq-mds", mds, length, 4);

    stopDatanodesHolding(compatible, 0, 8, 11);
    assertReadsBack(mds, mdsData);
    try (FSDataInputStream in = fs.open(compatible)) {
      byte[] whole = new byte[length];
      in.readFully(whole);
      fail("read units 0, 8, 11 of a raptorq 10+4 file back from the ten HDFS picks");
    } catch (IOException expected) {
      System.out.println("the read failed as it should: " + describe(expected));
      assertTrue(describe(expected), describe(expected).contains("cannot be rebuilt"));
    }
  }

  private static String describe(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable at = t; at != null; at = at.getCause()) {
      all.append(at).append("; ");
    }
    return all.toString();
  }

  @Test
  public void refusesAPolicyForACodecNobodyRegistered() throws IOException {
    startCluster(1);
    ErasureCodingPolicy policy = new ErasureCodingPolicy(new ECSchema("raptorq-nonesuch", K, M), CELL);
    AddErasureCodingPolicyResponse[] answer = fs.addErasureCodingPolicies(new ErasureCodingPolicy[] {policy});
    assertEquals(1, answer.length);
    assertTrue("HDFS accepted an unregistered codec", !answer[0].isSucceed());
    assertTrue(answer[0].getErrorMsg(), answer[0].getErrorMsg().contains("raptorq-nonesuch"));
  }

  /** What {@code hdfs ec -addPolicies -policyFile etc/raptorq-ec-policies.xml} does. */
  private void addPoliciesAsEcAdminDoes() throws IOException {
    String file = new File(POLICY_FILE).getAbsolutePath();
    List<ErasureCodingPolicy> policies = new ECPolicyLoader().loadPolicy(file);
    AddErasureCodingPolicyResponse[] answers =
        fs.addErasureCodingPolicies(policies.toArray(new ErasureCodingPolicy[0]));
    List<String> added = new ArrayList<>();
    for (AddErasureCodingPolicyResponse answer : answers) {
      assertTrue(answer.toString(), answer.isSucceed());
      added.add(answer.getPolicy().getName());
    }
    assertEquals(Arrays.asList("RAPTORQ-6-3-1024k", "RAPTORQ-MDS-6-3-1024k", "RAPTORQ-MDS-3-2-1024k",
        "RAPTORQ-MDS-10-4-1024k"), added);
  }

  /** Enables the policy, sets it on the file's directory, writes seeded bytes in odd-sized pieces. */
  private byte[] writeStriped(String policy, String codec, Path file, int length, long seed)
      throws IOException {
    fs.enableErasureCodingPolicy(policy);
    fs.mkdirs(file.getParent());
    fs.setErasureCodingPolicy(file.getParent(), policy);
    assertEquals(codec, fs.getErasureCodingPolicy(file.getParent()).getCodecName());

    byte[] data = new byte[length];
    new Random(seed).nextBytes(data);
    try (FSDataOutputStream out = fs.create(file)) {
      for (int at = 0; at < data.length; at += 65536 + 7) {
        out.write(data, at, Math.min(65536 + 7, data.length - at));
      }
    }
    assertEquals(length, fs.getFileStatus(file).getLen());
    assertEquals(policy, fs.getErasureCodingPolicy(file).getName());
    return data;
  }

  /** Each parity block of the first (full) block group equals our encoder's parity of its stripes. */
  private void assertParitiesAreOurs(Path file, byte[] data, RawErasureCoderFactory factory) throws IOException {
    assertEquals(2, blockGroups(file).size());
    LocatedStripedBlock group = firstBlockGroup(file);
    RawErasureEncoder encoder = factory.createEncoder(new ErasureCoderOptions(K, M));
    try {
      byte[][] expected = new byte[M][BLOCK];
      for (int stripe = 0; stripe < CELLS_PER_BLOCK; stripe++) {
        byte[][] cells = new byte[K][];
        for (int i = 0; i < K; i++) {
          int from = (stripe * K + i) * CELL;
          cells[i] = Arrays.copyOfRange(data, from, from + CELL);
        }
        byte[][] parities = new byte[M][CELL];
        encoder.encode(cells, parities);
        for (int j = 0; j < M; j++) {
          System.arraycopy(parities[j], 0, expected[j], stripe * CELL, CELL);
        }
      }
      for (int j = 0; j < M; j++) {
        assertArrayEquals("parity unit " + (K + j) + " of " + file, expected[j], storedUnit(group, K + j));
      }
    } finally {
      encoder.release();
    }
  }

  /** The bytes a datanode holds for one internal block (unit) of a block group. */
  private byte[] storedUnit(LocatedStripedBlock group, int unit) throws IOException {
    ExtendedBlock internal = StripedBlockUtil.constructInternalBlock(group.getBlock(), CELL, K, unit);
    DatanodeInfo holder = holderOf(group, unit);
    List<DataNode> datanodes = cluster.getDataNodes();
    for (int i = 0; i < datanodes.size(); i++) {
      if (datanodes.get(i).getDatanodeId().getXferAddr().equals(holder.getXferAddr())) {
        File blockFile = cluster.getBlockFile(i, internal);
        assertTrue("no block file for unit " + unit, blockFile != null && blockFile.exists());
        return Files.readAllBytes(blockFile.toPath());
      }
    }
    throw new AssertionError("no running datanode holds unit " + unit);
  }

  private static DatanodeInfo holderOf(LocatedStripedBlock group, int unit) {
    byte[] indices = group.getBlockIndices();
    for (int i = 0; i < indices.length; i++) {
      if (indices[i] == unit) {
        return group.getLocations()[i];
      }
    }
    throw new AssertionError("unit " + unit + " has no location");
  }

  private List<LocatedBlock> blockGroups(Path file) throws IOException {
    long length = fs.getFileStatus(file).getLen();
    return fs.getClient().getLocatedBlocks(file.toString(), 0, length).getLocatedBlocks();
  }

  private LocatedStripedBlock firstBlockGroup(Path file) throws IOException {
    return (LocatedStripedBlock) blockGroups(file).get(0);
  }

  /** Stops the datanodes holding these units of the file's first block group. */
  private void stopDatanodesHolding(Path file, int... units) throws IOException {
    LocatedStripedBlock group = firstBlockGroup(file);
    for (int unit : units) {
      String name = holderOf(group, unit).getXferAddr();
      assertTrue("no running datanode " + name, cluster.stopDataNode(name) != null);
    }
  }

  /** A streamed read of the whole file and positional reads at odd offsets, compared byte for byte. */
  private void assertReadsBack(Path file, byte[] data) throws IOException {
    byte[] whole = new byte[data.length];
    try (FSDataInputStream in = fs.open(file)) {
      in.readFully(whole);
      assertEquals(-1, in.read());
    }
    assertArrayEquals("streamed read of " + file, data, whole);

    int[] offsets = {0, CELL - 5, 2 * CELL + 77, data.length / 2 + 3, data.length - 1000};
    try (FSDataInputStream in = fs.open(file)) {
      for (int offset : offsets) {
        int length = Math.min(CELL + 4099, data.length - offset);
        byte[] got = new byte[length];
        in.readFully(offset, got);
        assertArrayEquals("positional read of " + file + " at " + offset,
            Arrays.copyOfRange(data, offset, offset + length), got);
      }
    }
  }
}
