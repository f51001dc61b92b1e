// Types of librq-wasm (src/index.mjs).

/** A failure inside librq: `status` is its name (e.g. "RQ_ERR_ESI"), `code` its number. */
export class RqError extends Error {
  readonly operation: string;
  readonly code: number;
  readonly status: string;
}

/** Whether this engine runs WebAssembly SIMD128 (then load() picks the simd flavour). */
export function engineHasSimd(): boolean;

/** RFC 6330 Object Transmission Information. */
export interface Oti {
  readonly transferLength: number; // F, bytes of the object
  readonly symbolSize: number;     // T
  readonly sourceBlocks: number;   // Z
  readonly subBlocks: number;      // N
  readonly alignment: number;      // Al
}

/** What BlockDecoder.add and ObjectDecoder.add report for a symbol that was not an error. */
export type AddResult = 'ok' | 'duplicate' | 'already-decoded' | 'not-kept';

export class BlockEncoder {
  readonly sourceSymbols: number;
  readonly symbolSize: number;
  /** The encoding symbol of this ESI: source symbols below K, repair symbols from K on. */
  symbol(esi: number): Uint8Array;
  free(): void;
}

export class BlockDecoder {
  readonly sourceSymbols: number;
  readonly symbolSize: number;
  add(esi: number, symbol: Uint8Array): AddResult;
  /** How many more symbols before decode() can succeed (0: try now). */
  needed(): number;
  held(): number;
  /** true when decoded; false when the symbols held do not determine the block yet. */
  decode(): boolean;
  /** The K*T source bytes, once decoded. */
  source(): Uint8Array;
  free(): void;
}

export class ObjectEncoder {
  readonly oti: Oti;
  /** The packet (4-byte payload ID, then T bytes) of symbol esi of source block sbn. */
  packet(sbn: number, esi: number): Uint8Array;
  free(): void;
}

export class ObjectDecoder {
  readonly oti: Oti;
  add(packet: Uint8Array): AddResult;
  complete(): boolean;
  /** The F bytes of the object, once complete. */
  data(): Uint8Array;
  free(): void;
}

/** One source block of an object. */
export interface BlockLayout {
  readonly sourceSymbols: number; // K
  readonly paddedSymbols: number; // K'
  readonly offset: number;        // first byte of the block in the object
  readonly length: number;        // bytes of object data in the block
}

export interface StreamProgress {
  readonly bytesDone?: number;
  readonly totalBytes?: number;
  readonly blocksDone: number;
  readonly blocks: number;
}

export interface EncodeStreamOptions {
  /** Bytes per symbol, a multiple of 8 (default 1024). */
  symbolSize?: number;
  /** Repair symbols per block, as a fraction of its K (default 0.1). */
  repair?: number;
  /** The largest source block, bytes (default 8 MiB): what encoding holds in memory. */
  maxBlockBytes?: number;
  /** The source's length: needed for streams (the OTI carries it). */
  size?: number;
  /** Each packet (payload ID + T bytes) as it is made; a returned promise is awaited. */
  onPacket(packet: Uint8Array, where: { sbn: number; esi: number }): void | Promise<void>;
  onProgress?(progress: StreamProgress): void;
  signal?: AbortSignal;
}

export interface DecodeStreamOptions {
  /** Each block's bytes, in order, as soon as they are decoded; a returned promise is awaited. */
  onData(bytes: Uint8Array, offset: number): void | Promise<void>;
  onProgress?(progress: StreamProgress): void;
  signal?: AbortSignal;
}

export type ByteSource = Blob | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Where encodeToStore puts an object's symbols and decodeFromStore finds
 * them: names are slash-separated ("blocks/0/17", "object.oti"). Any object
 * with these three methods will do (a database, a remote service).
 */
export interface SymbolStore {
  /** Writes each entry, whole or not at all. */
  put(entries: Array<[name: string, bytes: Uint8Array]>): Promise<void>;
  /** The bytes of each name, or null where there is none. */
  get(names: string[]): Promise<Array<Uint8Array | null>>;
  /** The names directly inside dir ("" for the top). */
  list(dir: string): Promise<string[]>;
}

/** Symbols in a Map, for a page's session or a test. */
export class MemoryStore implements SymbolStore {
  readonly files: Map<string, Uint8Array>;
  constructor();
  put(entries: Array<[name: string, bytes: Uint8Array]>): Promise<void>;
  get(names: string[]): Promise<Array<Uint8Array | null>>;
  list(dir: string): Promise<string[]>;
  remove(names: string[]): Promise<void>;
}

/** Symbols in a folder (Node only); each file is written aside and renamed into place. */
export class FolderStore implements SymbolStore {
  readonly root: string;
  constructor(root: string);
  put(entries: Array<[name: string, bytes: Uint8Array]>): Promise<void>;
  get(names: string[]): Promise<Array<Uint8Array | null>>;
  list(dir: string): Promise<string[]>;
  remove(names: string[]): Promise<void>;
}

/** Symbols in the browser's origin private file system (page or worker). */
export class OpfsStore implements SymbolStore {
  /** The store in folder path (default "librq") of this origin's OPFS, made if absent. */
  static open(path?: string): Promise<OpfsStore>;
  constructor(directory: FileSystemDirectoryHandle);
  put(entries: Array<[name: string, bytes: Uint8Array]>): Promise<void>;
  get(names: string[]): Promise<Array<Uint8Array | null>>;
  list(dir: string): Promise<string[]>;
  remove(names: string[]): Promise<void>;
}

export type EncodeToStoreOptions = Omit<EncodeStreamOptions, 'onPacket'>;

export interface EncodeResult {
  readonly oti: Oti;
  readonly packets: number;
  readonly blocks: number;
  /** K of each source block: ESIs below it are source symbols, the rest repair. */
  readonly sourceSymbols: readonly number[];
}

export interface DecodeFromStoreResult {
  readonly oti: Oti;
  readonly bytes: number;
  readonly blocks: number;
  /** Symbol files read: about K per block, fewer than the store holds. */
  readonly symbolsRead: number;
  /** Symbol files of the wrong size or whose payload ID disagrees with their name (skipped). */
  readonly damaged: number;
}

export class Librq {
  /** Which build was loaded. */
  readonly flavour: 'simd' | 'scalar';
  /** The kernel backend librq codes with: 'wasm-simd128' or 'scalar'. */
  readonly backend: string;
  readonly version: string;
  /** source: K*T bytes, symbol-major. */
  blockEncoder(source: Uint8Array, sourceSymbols: number, symbolSize: number): BlockEncoder;
  blockDecoder(sourceSymbols: number, symbolSize: number): BlockDecoder;
  otiWithDefaults(transferLength: number, maxPayload: number): Oti;
  otiDerive(transferLength: number, maxPayload: number, workingMemory: number, alignment: number,
    minSubSymbols: number): Oti;
  otiParse(bytes: Uint8Array): Oti;
  otiSerialize(oti: Oti): Uint8Array;
  blockLayout(oti: Oti, sbn: number): BlockLayout;
  objectEncoder(oti: Oti, data: Uint8Array): ObjectEncoder;
  objectDecoder(oti: Oti): ObjectDecoder;
  /** Encodes a source block at a time (memory: one block, never the whole source). */
  encodeStream(source: ByteSource, options: EncodeStreamOptions): Promise<EncodeResult>;
  /** Decodes packets as they come (objects with sub-blocks are decoded whole). */
  decodeStream(oti: Oti, packets: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options: DecodeStreamOptions): Promise<{ bytes: number; blocks: number }>;
  /** encodeStream into a store that must be empty: blocks/<sbn>/<esi> packets, then object.oti last. */
  encodeToStore(source: ByteSource, store: SymbolStore, options?: EncodeToStoreOptions): Promise<EncodeResult>;
  /** Decodes the object a store holds, reading about K symbols per block (RqError RQ_ERR_NEED_MORE_SYMBOLS when short). */
  decodeFromStore(store: SymbolStore, options: DecodeStreamOptions): Promise<DecodeFromStoreResult>;
  /** Releases the module's librq context (encoders and decoders made from it first). */
  free(): void;
}

export interface LoadOptions {
  /** 'auto' (default): simd where the engine has SIMD128, else scalar. */
  flavour?: 'auto' | 'simd' | 'scalar';
}

export function load(options?: LoadOptions): Promise<Librq>;

/**
 * The module loaded in a Web Worker (browsers) or a worker thread (Node):
 * the streaming and store codecs with Librq's arguments and results, run
 * off the calling thread. Sources, packets, stores and callbacks stay on the
 * calling thread and are reached when the worker needs them; an abort
 * rejects at once.
 */
export class RqWorker {
  readonly flavour: 'simd' | 'scalar';
  readonly backend: string;
  readonly version: string;
  encodeStream(source: ByteSource, options: EncodeStreamOptions): Promise<EncodeResult>;
  decodeStream(oti: Oti, packets: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options: DecodeStreamOptions): Promise<{ bytes: number; blocks: number }>;
  encodeToStore(source: ByteSource, store: SymbolStore, options?: EncodeToStoreOptions): Promise<EncodeResult>;
  decodeFromStore(store: SymbolStore, options: DecodeStreamOptions): Promise<DecodeFromStoreResult>;
  /** Stops the worker: jobs still running reject, and so does every later call. */
  terminate(): Promise<void>;
}

/** Starts a worker and loads the module in it. */
export function startWorker(options?: LoadOptions): Promise<RqWorker>;
