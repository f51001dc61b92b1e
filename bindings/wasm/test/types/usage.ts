// Compiled by tsc --strict in types.test.mjs: a program that uses the
// package the way its README does type-checks against index.d.ts and
// rq-library.d.ts, and the misuses marked @ts-expect-error are refused.
import {
  load, startWorker, MemoryStore, OpfsStore, RqError, engineHasSimd,
  type Oti, type SymbolStore, type DecodeFromStoreResult,
} from 'librq-wasm';
import { RaptorQSession } from 'librq-wasm/rq-library';

async function blocks(): Promise<Uint8Array> {
  const rq = await load({ flavour: engineHasSimd() ? 'simd' : 'scalar' });
  const encoder = rq.blockEncoder(new Uint8Array(16), 2, 8);
  const decoder = rq.blockDecoder(2, 8);
  const added: 'ok' | 'duplicate' | 'already-decoded' | 'not-kept' = decoder.add(2, encoder.symbol(2));
  void added;
  const done: boolean = decoder.needed() === 0 && decoder.decode();
  const out = done ? decoder.source() : new Uint8Array(0);
  // @ts-expect-error a source must be bytes
  rq.blockEncoder('text', 2, 8);
  // @ts-expect-error the flavour is one of three names
  await load({ flavour: 'avx2' });
  encoder.free();
  decoder.free();
  rq.free();
  return out;
}

async function streams(file: Blob, signal: AbortSignal): Promise<number> {
  const rq = await load();
  const packets: Uint8Array[] = [];
  const { oti, packets: count } = await rq.encodeStream(file, {
    symbolSize: 1024, repair: 0.2, signal,
    onPacket: (packet, { sbn, esi }) => { if (sbn >= 0 && esi >= 0) packets.push(packet); },
    onProgress: ({ blocksDone, blocks }) => console.log(`${blocksDone}/${blocks}`),
  });
  const wire: Uint8Array = rq.otiSerialize(oti);
  const back: Oti = rq.otiParse(wire);
  await rq.decodeStream(back, packets, { onData: async (bytes, offset) => { await Promise.resolve(bytes.length + offset); } });
  // @ts-expect-error encodeStream needs onPacket
  await rq.encodeStream(file, { symbolSize: 1024 });
  return count;
}

async function stores(file: Blob): Promise<DecodeFromStoreResult> {
  const worker = await startWorker();
  const store: SymbolStore = typeof navigator !== 'undefined' ? await OpfsStore.open('backups/a') : new MemoryStore();
  await worker.encodeToStore(file, store, { maxBlockBytes: 1 << 20 });
  const result = await worker.decodeFromStore(store, { onData: () => {} });
  const custom: SymbolStore = {
    put: async () => {},
    get: async (names) => names.map(() => null),
    list: async () => [],
  };
  await worker.encodeToStore(file, custom);
  // @ts-expect-error a store needs list
  await worker.encodeToStore(file, { put: async () => {}, get: async () => [] });
  await worker.terminate();
  return result;
}

async function rqLibrary(): Promise<number> {
  const session = new RaptorQSession(1024, 1.5, 64n, 4n);
  const result = await session.encode_file('/in.bin', '/symbols', 1 << 20);
  await session.decode_symbols('/symbols', '/out.bin', result.layoutFilePath);
  session.free();
  return result.totalSymbolsCount;
}

function status(e: unknown): string {
  return e instanceof RqError ? `${e.status} (${e.code}) in ${e.operation}` : String(e);
}

export { blocks, streams, stores, rqLibrary, status };
