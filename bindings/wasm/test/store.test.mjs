// encodeToStore / decodeFromStore over the in-memory and folder stores: loss,
// damage, too few symbols, a store that is not empty or has no OTI, an
// aborted encode, and what lands in a folder (whole packets under their
// names, no temporary files). OPFS is tested in Chromium (browser.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderStore, load, MemoryStore, RqError } from '../src/index.mjs';
import { equalBytes, splitmixBytes } from './support/helpers.mjs';

const BLOCKS_OF_64K = { symbolSize: 512, maxBlockBytes: 64 * 1024, repair: 0.15 };

async function decodeAll(rq, store) {
  const out = [];
  let expected = 0;
  const result = await rq.decodeFromStore(store, { onData: (bytes, offset) => {
    assert.equal(offset, expected, 'blocks arrive in order');
    expected += bytes.length;
    out.push(bytes.slice());
  } });
  return { ...result, data: Buffer.concat(out) };
}

/** Removes a `fraction` of every block's symbols, picked by seed. */
async function loseSymbols(store, fraction, seed) {
  let lost = 0;
  for (const sbn of await store.list('blocks')) {
    const names = (await store.list(`blocks/${sbn}`)).map((esi) => `blocks/${sbn}/${esi}`);
    const random = splitmixBytes(seed + Number(sbn), names.length);
    const gone = names.filter((_, i) => random[i] < fraction * 256);
    await store.remove(gone);
    lost += gone.length;
  }
  return lost;
}

test('a store round-trip after losing 10% of every block, sizes 1 byte to 5 blocks', async () => {
  const rq = await load();
  for (const size of [1, 511, 512, 65537, 300_001]) {
    const data = splitmixBytes(size, size);
    const store = new MemoryStore();
    const encoded = await rq.encodeToStore(new Blob([data]), store, BLOCKS_OF_64K);
    assert.equal(store.files.size, encoded.packets + 1, 'every packet and the OTI');
    const lost = await loseSymbols(store, 0.1, size);
    const { data: back, symbolsRead, damaged } = await decodeAll(rq, store);
    assert.ok(equalBytes(back, data), `size ${size} (${lost} symbols lost)`);
    assert.equal(damaged, 0);
    assert.ok(symbolsRead <= encoded.packets - lost, 'reads no symbol twice');
  }
  rq.free();
});

test('damaged and misnamed symbols are skipped and counted; too few left names the block', async () => {
  const rq = await load();
  const data = splitmixBytes(7, 200_000);
  const store = new MemoryStore();
  await rq.encodeToStore(data, store, BLOCKS_OF_64K);
  const [first] = await store.get(['blocks/1/0']);
  await store.put([['blocks/1/0', first.subarray(0, 100)], ['blocks/1/1', first], ['blocks/1/2', new Uint8Array(0)]]);
  const { data: back, damaged } = await decodeAll(rq, store);
  assert.ok(equalBytes(back, data));
  assert.equal(damaged, 3);

  const names = (await store.list('blocks/2')).map((esi) => `blocks/2/${esi}`);
  await store.remove(names.slice(0, Math.ceil(names.length * 0.2)));
  const seen = [];
  await assert.rejects(rq.decodeFromStore(store, { onData: (_, offset) => { seen.push(offset); } }),
    (e) => e instanceof RqError && e.status === 'RQ_ERR_NEED_MORE_SYMBOLS' && /source block 2 \(K = \d+\) cannot be decoded from the \d+ good symbols/.test(e.message));
  assert.equal(seen.length, 2, 'the blocks before it were handed on');
  assert.equal(seen[0], 0);
  rq.free();
});

test('a store that is not empty is refused untouched; one without an OTI or from an aborted encode is refused', async () => {
  const rq = await load();
  const store = new MemoryStore();
  await store.put([['notes.txt', new Uint8Array([1])]]);
  await assert.rejects(rq.encodeToStore(new Uint8Array(1000), store, {}),
    (e) => e.status === 'RQ_ERR_EXISTS' && /notes.txt/.test(e.message));
  assert.deepEqual([...store.files.keys()], ['notes.txt']);

  const half = new MemoryStore();
  const controller = new AbortController();
  await assert.rejects(rq.encodeToStore(splitmixBytes(1, 500_000), half, { ...BLOCKS_OF_64K, signal: controller.signal,
    onProgress: ({ blocksDone }) => { if (blocksDone === 2) controller.abort(); } }), { name: 'AbortError' });
  assert.ok(half.files.size > 0 && !half.files.has('object.oti'), 'symbols, but no OTI');
  await assert.rejects(decodeAll(rq, half), (e) => e.status === 'RQ_ERR_LAYOUT' && /did not finish/.test(e.message));
  await assert.rejects(rq.encodeToStore(new Uint8Array(10), {}, {}), /needs put, get and list/);
  await assert.rejects(store.put([['../x', new Uint8Array(1)]]), RangeError);
  await assert.rejects(rq.decodeFromStore(store, {}), /onData must be a function/);
  rq.free();
});

test('a folder store holds each packet whole under blocks/<sbn>/<esi>, and no temporary file', async () => {
  const rq = await load();
  const dir = await mkdtemp(join(tmpdir(), 'librq-store-'));
  try {
    const data = splitmixBytes(11, 150_000);
    const packets = [];
    const { oti } = await rq.encodeStream(data, { ...BLOCKS_OF_64K, onPacket: (p) => { packets.push(p); } });
    const store = new FolderStore(dir);
    await rq.encodeToStore(data, store, BLOCKS_OF_64K);
    assert.deepEqual((await readdir(dir)).sort(), ['blocks', 'object.oti']);
    assert.ok(equalBytes(await readFile(join(dir, 'object.oti')), rq.otiSerialize(oti)));
    let files = 0;
    for (const sbn of await readdir(join(dir, 'blocks'))) {
      for (const esi of await readdir(join(dir, 'blocks', sbn))) {
        const packet = packets.find((p) => new DataView(p.buffer, p.byteOffset).getUint32(0) === ((Number(sbn) << 24) | Number(esi)));
        assert.ok(packet && equalBytes(await readFile(join(dir, 'blocks', sbn, esi)), packet), `${sbn}/${esi}`);
        files++;
      }
    }
    assert.equal(files, packets.length);
    await loseSymbols(store, 0.1, 5);
    assert.ok(equalBytes((await decodeAll(rq, new FolderStore(dir))).data, data));
  } finally {
    await rm(dir, { recursive: true, force: true });
    rq.free();
  }
});
