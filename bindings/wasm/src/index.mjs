// librq in WebAssembly: RFC 6330 (RaptorQ) block and object codecs over
// librq's C core, with the SIMD128 kernels where the engine has them.
//
//   import { load } from 'librq-wasm';
//   const rq = await load();               // { flavour: 'auto' | 'simd' | 'scalar' }
//   const enc = rq.blockEncoder(bytes, K, T);
//   const repair = enc.symbol(K);          // any ESI
//   const w = await startWorker();          // the same codecs, off this thread
//   await w.encodeToStore(file, await OpfsStore.open('backup'), { onProgress });
import { BlockDecoder, BlockEncoder } from './block.mjs';
import { RqError } from './errors.mjs';
import { loadModule, engineHasSimd } from './load.mjs';
import { Native } from './native.mjs';
import { blockLayout, ObjectDecoder, ObjectEncoder, otiDerive, otiParse, otiSerialize, otiWithDefaults } from './object.mjs';
import { decodeFromStore, encodeToStore } from './store_codec.mjs';
import { decodeStream, encodeStream } from './stream.mjs';

export { RqError, engineHasSimd };
export { FolderStore, MemoryStore, OpfsStore } from './stores.mjs';
export { startWorker, RqWorker } from './worker.mjs';

/** One loaded module with its librq context; free() releases the context. */
export class Librq {
  constructor(native) {
    this.native = native;
    /** 'simd' or 'scalar': which build was loaded. */
    this.flavour = native.flavour;
    /** The kernel backend librq codes with ('wasm-simd128' or 'scalar'). */
    this.backend = native.backend();
    /** librq's version. */
    this.version = native.version();
  }

  blockEncoder(source, sourceSymbols, symbolSize) {
    return new BlockEncoder(this.native, source, sourceSymbols, symbolSize);
  }

  blockDecoder(sourceSymbols, symbolSize) {
    return new BlockDecoder(this.native, sourceSymbols, symbolSize);
  }

  /** RFC 6330's OTI for an object of transferLength bytes sent in packets of up to maxPayload bytes. */
  otiWithDefaults(transferLength, maxPayload) {
    return otiWithDefaults(this.native, transferLength, maxPayload);
  }

  /** RFC 6330 §4.3 with every parameter given. */
  otiDerive(transferLength, maxPayload, workingMemory, alignment, minSubSymbols) {
    return otiDerive(this.native, transferLength, maxPayload, workingMemory, alignment, minSubSymbols);
  }

  /** Encodes a Blob, Uint8Array or stream a source block at a time (src/stream.mjs). */
  encodeStream(source, options) {
    return encodeStream(this.native, source, options);
  }

  /** Decodes packets as they come, handing on each block's bytes in order (src/stream.mjs). */
  decodeStream(oti, packets, options) {
    return decodeStream(this.native, oti, packets, options);
  }

  /** encodeStream into a store (src/stores.mjs): blocks/<sbn>/<esi>, then object.oti (src/store_codec.mjs). */
  encodeToStore(source, store, options) {
    return encodeToStore(this.native, source, store, options);
  }

  /** Decodes the object a store holds, reading only the symbols each block needs. */
  decodeFromStore(store, options) {
    return decodeFromStore(this.native, store, options);
  }

  /** The OTI of its 12-byte wire form. */
  otiParse(bytes) {
    return otiParse(this.native, bytes);
  }

  otiSerialize(oti) {
    return otiSerialize(this.native, oti);
  }

  /** Source block sbn of the object: { sourceSymbols, paddedSymbols, offset, length }. */
  blockLayout(oti, sbn) {
    return blockLayout(this.native, oti, sbn);
  }

  objectEncoder(oti, data) {
    return new ObjectEncoder(this.native, oti, data);
  }

  objectDecoder(oti) {
    return new ObjectDecoder(this.native, oti);
  }

  free() {
    this.native.free();
  }
}

/** Loads the module (options.flavour: 'auto' by default, 'simd' or 'scalar'). */
export async function load(options = {}) {
  const { module, flavour } = await loadModule(options.flavour ?? 'auto');
  return new Librq(new Native(module, flavour));
}
