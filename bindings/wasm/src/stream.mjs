// Files and streams a source block at a time: encodeStream reads one block's
// bytes, encodes them and hands its packets to a callback before reading the
// next, so memory holds one block (at most maxBlockBytes), never the file;
// decodeStream hands each block's bytes on as soon as it is decoded, in
// order. Both report progress and stop when their AbortSignal fires.
import { requireInteger } from './errors.mjs';
import { BlockDecoder, BlockEncoder, writeSymbol } from './block.mjs';
import { blockLayout, ObjectDecoder, otiDerive } from './object.mjs';

const DEFAULT_BLOCK_BYTES = 8 << 20;

/** Pulls exact byte counts, in order, from a Blob, a Uint8Array, a ReadableStream or an async iterable. */
class ByteReader {
  constructor(source) {
    this.source = source;
    this.offset = 0;
    this.pending = [];
    this.pendingBytes = 0;
    if (typeof Blob !== 'undefined' && source instanceof Blob) this.kind = 'blob';
    else if (source instanceof Uint8Array) this.kind = 'bytes';
    else if (source && typeof source.getReader === 'function') {
      this.kind = 'chunks';
      const reader = source.getReader();
      this.chunks = { next: () => reader.read(), return: () => reader.cancel() };
    } else if (source && typeof source[Symbol.asyncIterator] === 'function') {
      this.kind = 'chunks';
      this.chunks = source[Symbol.asyncIterator]();
    } else {
      throw new TypeError('source must be a Blob, a Uint8Array, a ReadableStream or an async iterable of Uint8Array');
    }
  }

  /** The next `length` bytes (fewer only at the end of a chunked source). */
  async read(length) {
    const at = this.offset;
    this.offset += length;
    if (this.kind === 'blob') return new Uint8Array(await this.source.slice(at, at + length).arrayBuffer());
    if (this.kind === 'bytes') return this.source.subarray(at, at + length);
    while (this.pendingBytes < length) {
      const { value, done } = await this.chunks.next();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new TypeError('a stream chunk is not a Uint8Array');
      this.pending.push(value);
      this.pendingBytes += value.length;
    }
    const out = new Uint8Array(Math.min(length, this.pendingBytes));
    let filled = 0;
    while (filled < out.length) {
      const chunk = this.pending[0];
      const take = Math.min(chunk.length, out.length - filled);
      out.set(chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(take);
    }
    this.pendingBytes -= filled;
    return out;
  }

  async close() {
    if (this.chunks && typeof this.chunks.return === 'function') await this.chunks.return();
  }
}

function sourceSize(source, size) {
  if (size !== undefined) {
    requireInteger('size', size, 0, Number.MAX_SAFE_INTEGER);
    return size;
  }
  if (source instanceof Uint8Array) return source.length;
  if (typeof Blob !== 'undefined' && source instanceof Blob) return source.size;
  throw new TypeError('options.size is needed for a stream (the OTI carries the length)');
}

/** Packets are views into slabs of about this many bytes: one allocation for many packets. */
const SLAB_BYTES = 256 << 10;

/** Hands out packets of 4 + symbolSize bytes, each a view of a shared slab. */
class PacketSlabs {
  constructor(symbolSize) {
    this.size = 4 + symbolSize;
    this.perSlab = Math.max(1, Math.floor(SLAB_BYTES / this.size));
    this.used = this.perSlab;
  }

  /** A packet with its payload ID written: returns [bytes, offset of the packet in bytes]. */
  next(sbn, esi) {
    if (this.used === this.perSlab) {
      this.slab = new Uint8Array(this.perSlab * this.size);
      this.view = new DataView(this.slab.buffer);
      this.used = 0;
    }
    const at = this.used++ * this.size;
    this.view.setUint32(at, ((sbn << 24) | esi) >>> 0);
    return at;
  }

  packet(at) {
    return this.slab.subarray(at, at + this.size);
  }
}

/**
 * Encodes source block by block. options: symbolSize (a multiple of 8,
 * default 1024), repair (repair symbols per block as a fraction of its K,
 * default 0.1), maxBlockBytes (default 8 MiB), size (for streams),
 * onPacket(packet, { sbn, esi }) (awaited when it returns a promise, which
 * slows the reading down; packet is a view of a buffer shared with other
 * packets: copy it to keep its buffer alone), onProgress({ bytesDone, totalBytes, blocksDone, blocks }),
 * signal. Resolves to { oti, packets, blocks, sourceSymbols } (the K of
 * each block: ESIs below it are source symbols, the rest repair).
 */
export async function encodeStream(native, source, options = {}) {
  const symbolSize = options.symbolSize ?? 1024;
  requireInteger('symbolSize', symbolSize, 8, 65528);
  if (symbolSize % 8) throw new RangeError(`symbolSize must be a multiple of 8, not ${symbolSize}`);
  const repair = options.repair ?? 0.1;
  if (typeof repair !== 'number' || !(repair >= 0) || repair > 100) throw new RangeError('repair must be 0..100');
  if (typeof options.onPacket !== 'function') throw new TypeError('options.onPacket must be a function');
  const total = sourceSize(source, options.size);
  const maxBlockBytes = options.maxBlockBytes ?? DEFAULT_BLOCK_BYTES;
  // Sub-symbols of a whole symbol (SS*Al = T): one sub-block, so a block is one run of the file.
  const oti = otiDerive(native, total, symbolSize, maxBlockBytes, 8, symbolSize / 8);
  const reader = new ByteReader(source);
  let packets = 0;
  const sourceSymbols = [];
  try {
    for (let sbn = 0; sbn < oti.sourceBlocks; sbn++) {
      options.signal?.throwIfAborted();
      const layout = blockLayout(native, oti, sbn);
      const bytes = await reader.read(layout.length);
      if (bytes.length !== layout.length) {
        throw new RangeError(`the source ended at byte ${layout.offset + bytes.length}, before options.size ${total}`);
      }
      packets += await encodeBlock(native, oti, sbn, layout, bytes, repair, options);
      sourceSymbols.push(layout.sourceSymbols);
      options.onProgress?.({ bytesDone: layout.offset + layout.length, totalBytes: total,
        blocksDone: sbn + 1, blocks: oti.sourceBlocks });
    }
  } finally {
    await reader.close();
  }
  return { oti, packets, blocks: oti.sourceBlocks, sourceSymbols };
}

async function encodeBlock(native, oti, sbn, layout, bytes, repair, options) {
  const k = layout.sourceSymbols;
  const t = oti.symbolSize;
  const padded = new Uint8Array(k * t);
  padded.set(bytes);
  const encoder = new BlockEncoder(native, padded, k, t);
  try {
    const count = k + Math.ceil(k * repair);
    const slabs = new PacketSlabs(t);
    for (let esi = 0; esi < count; esi++) {
      options.signal?.throwIfAborted();
      const at = slabs.next(sbn, esi);
      // A systematic code: source symbol esi is the block's own bytes.
      if (esi < k) slabs.slab.set(padded.subarray(esi * t, (esi + 1) * t), at + 4);
      else writeSymbol(encoder, esi, slabs.slab, at + 4);
      // Awaited only when it returns a promise: a microtask per packet is most of a small symbol's cost.
      const pending = options.onPacket(slabs.packet(at), { sbn, esi });
      if (pending && typeof pending.then === 'function') await pending;
    }
    return count;
  } finally {
    encoder.free();
  }
}

/**
 * Decodes packets (an iterable or async iterable of Uint8Array) of the
 * object oti describes. options: onData(bytes, offset) (awaited), called
 * with each block's bytes in order as soon as it and the blocks before it
 * are decoded; onProgress({ blocksDone, blocks }); signal. Resolves to
 * { bytes, blocks } once every block is decoded; rejects with an Error
 * saying which blocks are short when the packets end first.
 */
export async function decodeStream(native, oti, packets, options = {}) {
  if (typeof options.onData !== 'function') throw new TypeError('options.onData must be a function');
  if (oti.subBlocks !== 1) return decodeWhole(native, oti, packets, options);
  const blocks = oti.sourceBlocks;
  const decoders = new Map();
  const done = new Map();
  let next = 0;
  try {
    for await (const packet of packets) {
      options.signal?.throwIfAborted();
      if (!(packet instanceof Uint8Array) || packet.length !== 4 + oti.symbolSize) {
        throw new RangeError(`a packet must be a Uint8Array of 4 + ${oti.symbolSize} bytes`);
      }
      const id = new DataView(packet.buffer, packet.byteOffset, 4).getUint32(0);
      const sbn = id >>> 24;
      if (sbn >= blocks) throw new RangeError(`packet for source block ${sbn}; the object has ${blocks}`);
      if (sbn < next || done.has(sbn)) continue;
      let decoder = decoders.get(sbn);
      if (!decoder) {
        decoder = new BlockDecoder(native, blockLayout(native, oti, sbn).sourceSymbols, oti.symbolSize);
        decoders.set(sbn, decoder);
      }
      decoder.add(id & 0xffffff, packet.subarray(4));
      if (decoder.needed() === 0 && decoder.decode()) {
        done.set(sbn, decoder.source().subarray(0, blockLayout(native, oti, sbn).length));
        decoder.free();
        decoders.delete(sbn);
        options.onProgress?.({ blocksDone: done.size + next, blocks });
        for (; done.has(next); next++) {
          await options.onData(done.get(next), blockLayout(native, oti, next).offset);
          done.delete(next);
        }
        if (next === blocks) break;
      }
    }
  } finally {
    for (const d of decoders.values()) d.free();
  }
  if (next < blocks) {
    const short = [];
    for (let sbn = next; sbn < blocks; sbn++) if (!done.has(sbn)) short.push(sbn);
    throw new Error(`the packets ran out before source block(s) ${short.join(', ')} could be decoded`);
  }
  return { bytes: oti.transferLength, blocks };
}

/** Objects with sub-blocks (made elsewhere) decode whole: their blocks interleave in the file. */
async function decodeWhole(native, oti, packets, options) {
  const decoder = new ObjectDecoder(native, oti);
  try {
    for await (const packet of packets) {
      options.signal?.throwIfAborted();
      decoder.add(packet);
      if (decoder.complete()) break;
    }
    if (!decoder.complete()) throw new Error('the packets ran out before the object could be decoded');
    await options.onData(decoder.data(), 0);
    options.onProgress?.({ blocksDone: oti.sourceBlocks, blocks: oti.sourceBlocks });
    return { bytes: oti.transferLength, blocks: oti.sourceBlocks };
  } finally {
    decoder.free();
  }
}
