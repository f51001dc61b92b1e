// Types of librq-wasm/rq-library (src/rq_library.mjs): rq-library-wasm's API.

/** Loads the module; every other call needs it done. */
export default function init(options?: { flavour?: 'auto' | 'simd' | 'scalar' }): Promise<void>;

/** What encode_file and create_metadata resolve to (rq-library-wasm's result object). */
export interface RaptorQResult {
  /** The first block's 12-byte OTI. */
  encoderParameters: Uint8Array;
  totalSymbolsCount: number;
  totalRepairSymbols: number;
  symbolsDirectory: string;
  layoutFilePath: string;
  /** The layout itself, when create_metadata was asked to return it. */
  layoutContent?: string;
  blocks?: Array<{
    block_id: number;
    encoder_parameters: number[];
    original_offset: number;
    size: number;
    symbols_count: number;
    source_symbols_count: number;
    hash: string;
  }>;
}

export class RaptorQSession {
  constructor(symbol_size: number, redundancy_factor: number, max_memory_mb: bigint, concurrency_limit: bigint);
  /** The layout only; with return_layout it is not written but returned as layoutContent. */
  create_metadata(input_path: string, layout_file: string, block_size: number, return_layout?: boolean): Promise<RaptorQResult>;
  encode_file(input_path: string, output_dir: string, block_size: number): Promise<RaptorQResult>;
  decode_symbols(symbols_dir: string, output_path: string, layout_path: string): Promise<true>;
  get_recommended_block_size(file_size: number): number;
  static version(): string;
  free(): void;
}

export function getFileSize(path: string): number;
export function syncDirExists(path: string): boolean;
export function dirExists(path: string): Promise<boolean>;
export function createDirAll(path: string): Promise<void>;
export function writeFileChunk(path: string, offset: number, data: Uint8Array): Promise<void>;
export function readFileChunk(path: string, offset: number, length: number): Promise<Uint8Array>;
export function flushFile(path: string): Promise<void>;
/** librq's addition: the names in a folder. */
export function listDir(path: string): string[];
/** librq's addition: removes a file. */
export function removeFile(path: string): void;
