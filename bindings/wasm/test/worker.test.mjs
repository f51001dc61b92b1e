// startWorker: the streaming and store codecs in a worker thread give the
// same packets and bytes as in the calling thread, keep that thread free,
// cancel, pass errors on (librq's with their status, a callback's as thrown)
// and stay usable after a failed job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderStore, load, MemoryStore, RqError, startWorker } from '../src/index.mjs';
import { equalBytes, splitmixBytes } from './support/helpers.mjs';

const SETTINGS = { symbolSize: 1024, maxBlockBytes: 256 * 1024, repair: 0.1 };

function collect() {
  const parts = [];
  return { parts, onData: (bytes, offset) => { parts.push([bytes.slice(), offset]); } };
}

function joined(parts, length) {
  const out = new Uint8Array(length);
  for (const [bytes, offset] of parts) out.set(bytes, offset);
  return out;
}

test('packets made in the worker are those made in this thread, from a Blob, bytes or a Node stream', async () => {
  const rq = await load();
  const w = await startWorker();
  try {
    assert.equal(w.backend, rq.backend);
    const data = splitmixBytes(21, 1_000_003);
    const here = [];
    const { oti } = await rq.encodeStream(data, { ...SETTINGS, onPacket: (p) => { here.push(p); } });
    const sources = [new Blob([data]), data, Readable.from([data.subarray(0, 77), data.subarray(77)])];
    for (const source of sources) {
      const there = [];
      const result = await w.encodeStream(source, { ...SETTINGS, size: data.length, onPacket: (p) => { there.push(p); } });
      assert.deepEqual(result.oti, oti);
      assert.equal(there.length, here.length);
      assert.ok(there.every((p, i) => equalBytes(p, here[i])), source.constructor.name);
    }
    const kept = here.filter((_, i) => i % 11 !== 3);
    const { parts, onData } = collect();
    const progress = [];
    await w.decodeStream(oti, (async function* () { yield* kept; })(),
      { onData, onProgress: (p) => progress.push(p.blocksDone) });
    assert.ok(equalBytes(joined(parts, data.length), data));
    assert.deepEqual(progress, [1, 2, 3, 4]);
  } finally {
    await w.terminate();
    rq.free();
  }
});

test('a folder and a memory store through the worker round-trip, with progress', async () => {
  const w = await startWorker({ flavour: 'scalar' });
  const dir = await mkdtemp(join(tmpdir(), 'librq-worker-'));
  try {
    assert.equal(w.backend, 'scalar');
    const data = splitmixBytes(5, 700_001);
    for (const store of [new FolderStore(dir), new MemoryStore()]) {
      const progress = [];
      const { blocks } = await w.encodeToStore(data, store, { ...SETTINGS, onProgress: (p) => progress.push(p.bytesDone) });
      assert.equal(progress.at(-1), data.length);
      assert.equal(progress.length, blocks);
      const { parts, onData } = collect();
      const result = await w.decodeFromStore(store, { onData });
      assert.ok(equalBytes(joined(parts, data.length), data), store.constructor.name);
      assert.equal(result.damaged, 0);
    }
  } finally {
    await w.terminate();
    await rm(dir, { recursive: true, force: true });
  }
});

test('coding in the worker leaves this thread free to run timers', async () => {
  const w = await startWorker();
  try {
    const data = splitmixBytes(8, 24 << 20);
    let last = performance.now();
    let longest = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      ticks++;
    }, 5);
    const started = performance.now();
    let packets = 0;
    await w.encodeStream(data, { maxBlockBytes: 8 << 20, onPacket: () => { packets++; } });
    const took = performance.now() - started;
    clearInterval(timer);
    console.log(`24 MiB encoded in the worker in ${took.toFixed(0)} ms; ${ticks} timer ticks, longest gap ${longest.toFixed(1)} ms`);
    assert.ok(packets > 24 * 1024);
    assert.ok(longest < Math.max(250, took / 4), `the longest gap between ticks was ${longest.toFixed(0)} ms of ${took.toFixed(0)}`);
  } finally {
    await w.terminate();
  }
});

test('cancelling, failing callbacks, librq errors and termination reject the job, and the worker goes on', async () => {
  const w = await startWorker();
  const data = splitmixBytes(9, 600_000);
  const controller = new AbortController();
  let seen = 0;
  await assert.rejects(w.encodeStream(data, { ...SETTINGS, signal: controller.signal,
    onPacket: () => { if (++seen === 300) controller.abort(); } }), { name: 'AbortError' });
  const stopped = AbortSignal.abort(new Error('never started'));
  await assert.rejects(w.encodeStream(data, { signal: stopped, onPacket: () => {} }), /never started/);

  const mine = new Error('the sink is full');
  await assert.rejects(w.encodeStream(data, { onPacket: () => { throw mine; } }), (e) => e === mine);
  await assert.rejects(w.encodeStream(data, { symbolSize: 1001, onPacket: () => {} }), RangeError);
  await assert.rejects(w.encodeStream(new Uint8Array(0), { onPacket: () => {} }),
    (e) => e instanceof RqError && e.status === 'RQ_ERR_TRANSFER_LENGTH');
  await assert.rejects(w.encodeStream(data, {}), /onPacket must be a function/);
  await assert.rejects(w.decodeFromStore(new MemoryStore(), { onData: () => {} }), (e) => e.status === 'RQ_ERR_LAYOUT');
  await assert.rejects(w.encodeStream(Readable.from([data]), { onPacket: () => {} }), /options.size is needed/);

  let packets = 0;
  await w.encodeStream(data, { ...SETTINGS, onPacket: () => { packets++; } });
  assert.ok(packets > 600, 'the worker still works');
  const running = w.encodeStream(splitmixBytes(1, 8 << 20), { onPacket: () => new Promise((r) => setTimeout(r, 1)) });
  const outcome = assert.rejects(running, /terminated/);
  await new Promise((r) => setTimeout(r, 50));
  await w.terminate();
  await outcome;
  await assert.rejects(w.encodeStream(data, { onPacket: () => {} }), /terminated/);
});
