// An object's symbols in a store (src/stores.mjs): encodeToStore writes each
// packet (payload ID + T bytes) as blocks/<sbn>/<esi>, then the 12-byte OTI
// as object.oti, last, so a store with an OTI holds a finished encode.
// decodeFromStore reads a block's symbols in ESI order, only as many as the
// block needs, and hands each block's bytes on in order: memory holds one
// block, never the object.
import { RqError } from './errors.mjs';
import { BlockDecoder } from './block.mjs';
import { blockLayout, otiParse, otiSerialize } from './object.mjs';
import { encodeStream } from './stream.mjs';

export const OTI_NAME = 'object.oti';
const PUT_BATCH = 256;

export function symbolName(sbn, esi) {
  return `blocks/${sbn}/${esi}`;
}

function requireStore(store) {
  for (const method of ['put', 'get', 'list']) {
    if (typeof store?.[method] !== 'function') {
      throw new TypeError(`a store needs put, get and list methods (src/stores.mjs); this one has no ${method}`);
    }
  }
}

/** encodeStream's options, less onPacket; resolves to encodeStream's result. */
export async function encodeToStore(native, source, store, options = {}) {
  requireStore(store);
  const present = await store.list('');
  if (present.length) {
    throw new RqError('encodeToStore', -24, 'RQ_ERR_EXISTS',
      `the store is not empty (it holds ${present.slice(0, 3).join(', ')}${present.length > 3 ? ', ...' : ''})`);
  }
  let batch = [];
  const flush = async () => {
    if (batch.length) await store.put(batch);
    batch = [];
  };
  const result = await encodeStream(native, source, {
    ...options,
    onPacket: (packet, { sbn, esi }) => {
      batch.push([symbolName(sbn, esi), packet]);
      return batch.length >= PUT_BATCH ? flush() : undefined;
    },
  });
  await flush();
  await store.put([[OTI_NAME, otiSerialize(native, result.oti)]]);
  return result;
}

async function readOti(native, store) {
  const [bytes] = await store.get([OTI_NAME]);
  if (!bytes) {
    throw new RqError('decodeFromStore', -25, 'RQ_ERR_LAYOUT',
      `the store has no ${OTI_NAME}: nothing was encoded into it, or the encode did not finish`);
  }
  const oti = otiParse(native, bytes);
  if (oti.subBlocks !== 1) {
    throw new RqError('decodeFromStore', -9, 'RQ_ERR_SUB_BLOCKS', `${OTI_NAME} has ${oti.subBlocks} sub-blocks; a store holds objects of one`);
  }
  return oti;
}

/** The ESIs a store holds for block sbn, ascending (source symbols first). */
async function storedEsis(store, sbn) {
  const names = await store.list(`blocks/${sbn}`);
  return names.filter((n) => /^(0|[1-9]\d{0,7})$/.test(n)).map(Number).filter((e) => e < 1 << 24).sort((a, b) => a - b);
}

/** Whether packet is the T-byte symbol esi of block sbn (its name and its payload ID agree). */
function isPacketOf(packet, sbn, esi, symbolSize) {
  if (!packet || packet.length !== 4 + symbolSize) return false;
  return new DataView(packet.buffer, packet.byteOffset, 4).getUint32(0) === (((sbn << 24) | esi) >>> 0);
}

/** Decodes block sbn from the store; returns its bytes and what was read. */
async function decodeBlock(native, store, oti, sbn, signal) {
  const layout = blockLayout(native, oti, sbn);
  const k = layout.sourceSymbols;
  const esis = await storedEsis(store, sbn);
  const decoder = new BlockDecoder(native, k, oti.symbolSize);
  const counts = { read: 0, damaged: 0 };
  try {
    let at = 0;
    let want = k;
    while (at < esis.length) {
      signal?.throwIfAborted();
      const chunk = esis.slice(at, at + want);
      at += chunk.length;
      const packets = await store.get(chunk.map((esi) => symbolName(sbn, esi)));
      counts.read += chunk.length;
      chunk.forEach((esi, i) => {
        if (isPacketOf(packets[i], sbn, esi, oti.symbolSize)) decoder.add(esi, packets[i].subarray(4));
        else counts.damaged++;
      });
      if (decoder.needed() === 0 && decoder.decode()) {
        return { bytes: decoder.source().subarray(0, layout.length), offset: layout.offset, ...counts };
      }
      want = Math.max(decoder.needed(), Math.ceil(k / 50), 2);
    }
    throw new RqError('decodeFromStore', -17, 'RQ_ERR_NEED_MORE_SYMBOLS',
      `source block ${sbn} (K = ${k}) cannot be decoded from the ${esis.length - counts.damaged} good symbols ` +
      `the store holds of it${counts.damaged ? ` (${counts.damaged} more are damaged or misnamed)` : ''}`);
  } finally {
    decoder.free();
  }
}

/**
 * Decodes the object in store. options: onData(bytes, offset) (awaited),
 * each block's bytes in order; onProgress({ blocksDone, blocks }); signal.
 * Resolves to { oti, bytes, blocks, symbolsRead, damaged }.
 */
export async function decodeFromStore(native, store, options = {}) {
  requireStore(store);
  if (typeof options.onData !== 'function') throw new TypeError('options.onData must be a function');
  const oti = await readOti(native, store);
  let symbolsRead = 0;
  let damaged = 0;
  for (let sbn = 0; sbn < oti.sourceBlocks; sbn++) {
    const block = await decodeBlock(native, store, oti, sbn, options.signal);
    symbolsRead += block.read;
    damaged += block.damaged;
    await options.onData(block.bytes, block.offset);
    options.onProgress?.({ blocksDone: sbn + 1, blocks: oti.sourceBlocks });
  }
  return { oti, bytes: oti.transferLength, blocks: oti.sourceBlocks, symbolsRead, damaged };
}
