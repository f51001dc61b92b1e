// The package's streaming paths under Node, in one run: encodeStream and
// decodeStream in the calling thread and through startWorker, and
// encodeToStore / decodeFromStore over a MemoryStore, each beside a copy of
// the same bytes into a buffer made beforehand (memcpy) in the same round. Rounds
// alternate the paths; medians are printed with MB/s and the ratio to the
// copy.
//
// Usage: node bench/wasm_stream_bench.mjs [MiB] [ROUNDS] [SYMBOL_SIZE]
//   (defaults 48, 5, 1024; blocks of 8 MiB, 10% repair, 10% of each
//   block's source packets lost before decoding)
import { load, MemoryStore, startWorker } from '../bindings/wasm/src/index.mjs';

const mib = Number(process.argv[2] ?? 48);
const rounds = Number(process.argv[3] ?? 5);
const symbolSize = Number(process.argv[4] ?? 1024);
const settings = { symbolSize, repair: 0.1, maxBlockBytes: 8 << 20 };
const data = new Uint8Array(mib << 20);
for (let i = 0, x = 0x9e3779b9; i < data.length; i++) {
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  data[i] = x & 255;
}

const target = new Uint8Array(data.length).fill(1);
const rq = await load();
const worker = await startWorker();

/** Keeps 9 of every 10 packets with an ESI below the block's K, and every repair packet. */
function survivors(packets, sourceSymbols) {
  return packets.filter((p) => {
    const id = new DataView(p.buffer, p.byteOffset, 4).getUint32(0);
    return (id & 0xffffff) >= sourceSymbols[id >>> 24] || (id & 0xffffff) % 10 !== 3;
  });
}

async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const paths = {
  'memcpy (target.set(data))': async () => timed(async () => { target.set(data); }),
  'encodeStream, this thread': () => timed(() => rq.encodeStream(data, { ...settings, onPacket: () => {} })),
  'encodeStream, startWorker': () => timed(() => worker.encodeStream(data, { ...settings, onPacket: () => {} })),
  'encodeToStore, MemoryStore': () => timed(() => rq.encodeToStore(data, new MemoryStore(), settings)),
  'decodeStream, this thread': async () => decodeTime(rq),
  'decodeStream, startWorker': async () => decodeTime(worker),
  'decodeFromStore, MemoryStore': async () => {
    const store = new MemoryStore();
    await rq.encodeToStore(data, store, settings);
    return timed(() => rq.decodeFromStore(store, { onData: () => {} }));
  },
};

async function decodeTime(codec) {
  const packets = [];
  const { oti, sourceSymbols } = await rq.encodeStream(data, { ...settings, onPacket: (p) => { packets.push(p); } });
  const kept = survivors(packets, sourceSymbols);
  return timed(() => codec.decodeStream(oti, kept, { onData: () => {} }));
}

const times = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
for (let r = 0; r < rounds + 1; r++) {
  for (const [name, run] of Object.entries(paths)) {
    const ms = await run();
    if (r > 0) times[name].push(ms); // round 0 warms the plan cache and the JIT
  }
}
await worker.terminate();

const median = (a) => a.slice().sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)];
const copy = median(times['memcpy (target.set(data))']);
console.log(`${mib} MiB, T = ${symbolSize}, ${rq.backend}, medians of ${rounds} rounds (node ${process.version})`);
for (const [name, t] of Object.entries(times)) {
  const m = median(t);
  console.log(`${name.padEnd(30)} ${m.toFixed(1).padStart(8)} ms ${(data.length / 1e3 / m).toFixed(0).padStart(7)} MB/s  ` +
    `${(copy / m).toFixed(3).padStart(7)} x memcpy`);
}
