// rq-library-wasm's API over librq: `init()` (the default export, as
// wasm-bindgen's), `RaptorQSession` with the same constructor, methods,
// argument order and result objects, and the in-memory file helpers pages
// use to put files in and take symbols out. The files live in the module's
// in-memory file system, where librq's own file runtime (the rq-library ABI
// of runtime/compat/) reads and writes them, so a layout and symbol files
// come out as native librq (and rq-library) write them.
//
//   import init, { RaptorQSession, writeFileChunk, readFileChunk } from 'librq-wasm/rq-library';
import { RqError, requireInteger } from './errors.mjs';
import { loadModule } from './load.mjs';

let loading = null;
let m = null;

/** Loads the module once (options.flavour as for load()); resolves when the API is usable. */
export default async function init(options = {}) {
  if (!loading) {
    loading = loadModule(options.flavour ?? 'auto').then((loaded) => {
      m = loaded.module;
      return m;
    });
  }
  await loading;
}

function module() {
  if (!m) throw new Error('librq-wasm/rq-library: await init() first');
  return m;
}

function withStrings(strings, fn) {
  const mod = module();
  const pointers = strings.map((s) => {
    if (typeof s !== 'string') throw new TypeError(`a path must be a string, not ${typeof s}`);
    const n = mod.lengthBytesUTF8(s) + 1;
    const p = mod._malloc(n);
    mod.stringToUTF8(s, p, n);
    return p;
  });
  try {
    return fn(...pointers);
  } finally {
    pointers.forEach((p) => mod._free(p));
  }
}

const CODES = {
  '-1': 'RQL_FAILED', '-2': 'RQL_BAD_ARGUMENT', '-3': 'RQL_RESULT_JSON', '-4': 'RQL_RESULT_TOO_LONG',
  '-5': 'RQL_NO_SESSION', '-11': 'RQL_IO', '-12': 'RQL_CANNOT_OPEN', '-13': 'RQL_NOT_A_DIRECTORY',
  '-14': 'RQL_EMPTY_INPUT', '-15': 'RQL_DECODE_FAILED', '-16': 'RQL_OVER_MEMORY', '-17': 'RQL_BUSY',
};

function toBigInt(name, value) {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  throw new TypeError(`${name} must be a non-negative integer or bigint`);
}

/** The result object rq-library-wasm builds from the result JSON. */
function resultObject(json) {
  const r = JSON.parse(json);
  const first = r.blocks && r.blocks.length ? r.blocks[0].encoder_parameters : [];
  const out = {
    encoderParameters: Uint8Array.from(first),
    totalSymbolsCount: r.total_symbols_count,
    totalRepairSymbols: r.total_repair_symbols,
    symbolsDirectory: r.symbols_directory,
    layoutFilePath: r.layout_file_path,
  };
  if (r.layout_content !== undefined) out.layoutContent = r.layout_content;
  if (r.blocks) out.blocks = r.blocks;
  return out;
}

export class RaptorQSession {
  constructor(symbol_size, redundancy_factor, max_memory_mb, concurrency_limit) {
    requireInteger('symbol_size', symbol_size, 1, 65535);
    requireInteger('redundancy_factor', redundancy_factor, 1, 255);
    const mod = module();
    this.symbolSize = symbol_size;
    this.redundancy = redundancy_factor;
    this.id = mod._raptorq_init_session(symbol_size, redundancy_factor,
      toBigInt('max_memory_mb', max_memory_mb), toBigInt('concurrency_limit', concurrency_limit));
    if (!this.id) {
      throw new RqError('raptorq_init_session', 0, 'RQL_BAD_ARGUMENT',
        'max_memory_mb must be 8..2^43 and concurrency_limit at least 1');
    }
  }

  fail(operation, code) {
    const mod = module();
    const buf = mod._malloc(1024);
    mod._raptorq_get_last_error(this.id, buf, 1024);
    const message = mod.UTF8ToString(buf);
    mod._free(buf);
    return new RqError(operation, code, CODES[code] ?? `RQL_${-code}`, message);
  }

  requireLive() {
    if (!this.id) throw new Error('RaptorQSession was freed');
  }

  /** Room for the result JSON: a layout names every symbol (about 48 bytes each). */
  resultRoom(inputPath) {
    const size = getFileSize(inputPath);
    const symbols = Math.ceil(size / Math.max(this.symbolSize - 7, 1)) * (this.redundancy + 1) + 64;
    return Math.min((1 << 20) + symbols * 64, 1 << 30);
  }

  withResult(operation, inputPath, call) {
    this.requireLive();
    const mod = module();
    const room = this.resultRoom(inputPath);
    const buf = mod._malloc(room);
    try {
      const code = call(buf, room);
      if (code !== 0) throw this.fail(operation, code);
      return resultObject(mod.UTF8ToString(buf));
    } finally {
      mod._free(buf);
    }
  }

  async create_metadata(input_path, layout_file, block_size, return_layout = false) {
    requireInteger('block_size', block_size, 0, 0xffffffff);
    const result = withStrings([input_path, return_layout ? '' : layout_file], (input, layout) =>
      this.withResult('raptorq_create_metadata', input_path, (buf, room) =>
        module()._raptorq_create_metadata(this.id, input, layout, block_size, buf, room)));
    return result;
  }

  async encode_file(input_path, output_dir, block_size) {
    requireInteger('block_size', block_size, 0, 0xffffffff);
    return withStrings([input_path, output_dir], (input, dir) =>
      this.withResult('raptorq_encode_file', input_path, (buf, room) =>
        module()._raptorq_encode_file(this.id, input, dir, block_size, buf, room)));
  }

  async decode_symbols(symbols_dir, output_path, layout_path) {
    this.requireLive();
    const code = withStrings([symbols_dir, output_path, layout_path], (dir, out, layout) =>
      module()._raptorq_decode_symbols(this.id, dir, out, layout));
    if (code !== 0) throw this.fail('raptorq_decode_symbols', code);
    return true;
  }

  get_recommended_block_size(file_size) {
    this.requireLive();
    return module()._raptorq_get_recommended_block_size(this.id, toBigInt('file_size', file_size)) >>> 0;
  }

  static version() {
    const mod = module();
    const buf = mod._malloc(256);
    mod._raptorq_version(buf, 256);
    const v = mod.UTF8ToString(buf);
    mod._free(buf);
    return v;
  }

  free() {
    if (this.id) module()._raptorq_free_session(this.id);
    this.id = 0;
  }
}

// --- The in-memory files (rq-library-wasm's browser_fs_mem.js helpers) ---

function info(path) {
  const found = module().FS.analyzePath(path);
  return found.exists ? found.object : null;
}

function parentOf(path) {
  const i = path.lastIndexOf('/');
  return i > 0 ? path.slice(0, i) : '/';
}

/** Size of a file in bytes; 0 if there is none. */
export function getFileSize(path) {
  const node = info(path);
  return node && module().FS.isFile(node.mode) ? module().FS.stat(path).size : 0;
}

export function syncDirExists(path) {
  const node = info(path);
  return Boolean(node && module().FS.isDir(node.mode));
}

export async function dirExists(path) {
  return syncDirExists(path);
}

export async function createDirAll(path) {
  module().FS.mkdirTree(path);
}

/** Writes data at offset (the file, and its folders, made if missing). */
export async function writeFileChunk(path, offset, data) {
  if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
  const FS = module().FS;
  FS.mkdirTree(parentOf(path));
  const stream = FS.open(path, info(path) ? 'r+' : 'w');
  try {
    FS.write(stream, data, 0, data.length, offset);
  } finally {
    FS.close(stream);
  }
}

/** Up to length bytes from offset (fewer at the end; none past it or for a missing file). */
export async function readFileChunk(path, offset, length) {
  const size = getFileSize(path);
  if (offset >= size) return new Uint8Array(0);
  const FS = module().FS;
  const out = new Uint8Array(Math.min(length, size - offset));
  const stream = FS.open(path, 'r');
  try {
    FS.read(stream, out, 0, out.length, offset);
  } finally {
    FS.close(stream);
  }
  return out;
}

export async function flushFile(path) {
  void path; /* in memory: nothing to flush */
}

// --- librq's additions, for pages that manage what the session wrote ---

/** The names in a folder ([] if there is none). */
export function listDir(path) {
  return syncDirExists(path) ? module().FS.readdir(path).filter((n) => n !== '.' && n !== '..') : [];
}

/** Removes a file (a lost symbol, an output no longer needed). */
export function removeFile(path) {
  module().FS.unlink(path);
}
