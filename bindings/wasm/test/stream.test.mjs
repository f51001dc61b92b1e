// encodeStream / decodeStream: files a block at a time from Node streams,
// Blobs and byte arrays, with loss, progress and cancellation; the packets
// are the object encoder's (and so the native library's) packets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { load, RqError } from '../src/index.mjs';
import { equalBytes, splitmixBytes } from './support/helpers.mjs';

/** A Node stream of data in chunks of uneven sizes. */
function chunked(data) {
  return Readable.from((function* () {
    const sizes = splitmixBytes(data.length, 4096);
    for (let at = 0, i = 0; at < data.length; i++) {
      const n = 1 + sizes[i % sizes.length] * 97;
      yield data.subarray(at, at + n);
      at += n;
    }
  })(), { objectMode: true });
}

async function encodeAll(rq, source, options) {
  const packets = [];
  const result = await rq.encodeStream(source, { ...options, onPacket: (p) => { packets.push(p); } });
  return { ...result, list: packets };
}

/** Drops every source packet whose index the seed picks with probability `loss`. */
function lose(packets, loss, seed) {
  const random = splitmixBytes(seed, packets.length);
  return packets.filter((p, i) => !(random[i] < loss * 256));
}

async function decodeAll(rq, oti, packets) {
  const parts = [];
  let expectedOffset = 0;
  await rq.decodeStream(oti, packets, {
    onData: (bytes, offset) => {
      assert.equal(offset, expectedOffset, 'blocks arrive in order');
      expectedOffset += bytes.length;
      parts.push(bytes.slice());
    },
  });
  return Buffer.concat(parts);
}

test('a 5 MB Node stream in uneven chunks: 5 blocks, the object encoder\'s packets, decoded after 20% loss', async () => {
  const rq = await load();
  const data = splitmixBytes(11, 5_000_000);
  const progress = [];
  const { oti, list, blocks } = await encodeAll(rq, chunked(data), {
    size: data.length, symbolSize: 1024, repair: 0.35, maxBlockBytes: 1 << 20,
    onProgress: (p) => progress.push(p),
  });
  assert.equal(oti.subBlocks, 1);
  assert.equal(blocks, 5);
  assert.deepEqual(progress.map((p) => p.blocksDone), [1, 2, 3, 4, 5]);
  assert.equal(progress.at(-1).bytesDone, data.length);
  const reference = rq.objectEncoder(oti, data);
  for (const packet of list.filter((_, i) => i % 7 === 0)) {
    const id = new DataView(packet.buffer, packet.byteOffset).getUint32(0);
    assert.ok(equalBytes(packet, reference.packet(id >>> 24, id & 0xffffff)), `packet ${id.toString(16)}`);
  }
  reference.free();
  const rebuilt = await decodeAll(rq, oti, lose(list, 0.2, 5));
  assert.ok(equalBytes(rebuilt, data));
  rq.free();
});

test('Blobs and byte arrays of 1 byte to 3 blocks round-trip, and decoding takes an async iterable', async () => {
  const rq = await load({ flavour: 'scalar' });
  for (const size of [1, 7, 1024, 1025, 333_333, 2_100_000]) {
    const data = splitmixBytes(size, size);
    for (const source of [data, new Blob([data])]) {
      const { oti, list } = await encodeAll(rq, source, { symbolSize: 512, repair: 0.3, maxBlockBytes: 1 << 20 });
      const kept = lose(list, 0.15, size);
      async function* slowly() { for (const p of kept) yield p; }
      assert.ok(equalBytes(await decodeAll(rq, oti, slowly()), data), `size ${size}`);
    }
  }
  rq.free();
});

test('cancellation, short streams, too few packets and bad arguments are reported, not hung or crashed', async () => {
  const rq = await load();
  const data = splitmixBytes(3, 300_000);
  const controller = new AbortController();
  let seen = 0;
  await assert.rejects(rq.encodeStream(data, {
    signal: controller.signal,
    onPacket: () => { if (++seen === 10) controller.abort(); },
  }), { name: 'AbortError' });
  assert.equal(seen, 10);
  await assert.rejects(rq.encodeStream(chunked(data), { size: data.length + 1, onPacket: () => {} }),
    /the source ended at byte 300000/);
  await assert.rejects(rq.encodeStream(new Uint8Array(0), { onPacket: () => {} }),
    (e) => e instanceof RqError && e.status === 'RQ_ERR_TRANSFER_LENGTH');
  await assert.rejects(rq.encodeStream(chunked(data), { onPacket: () => {} }), /options.size is needed/);
  await assert.rejects(rq.encodeStream(data, { symbolSize: 1001, onPacket: () => {} }), RangeError);
  await assert.rejects(rq.encodeStream('not bytes', { size: 3, onPacket: () => {} }), TypeError);
  const { oti, list } = await encodeAll(rq, data, { repair: 0 });
  await assert.rejects(decodeAll(rq, oti, list.slice(0, list.length - 5)), /ran out before source block\(s\) 0/);
  await assert.rejects(decodeAll(rq, oti, [new Uint8Array(3)]), RangeError);
  const stopped = new AbortController();
  stopped.abort();
  await assert.rejects(rq.decodeStream(oti, list, { signal: stopped.signal, onData: () => {} }), { name: 'AbortError' });
  rq.free();
});
