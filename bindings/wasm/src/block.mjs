// One source block: K symbols of T bytes (RFC 6330 §5), encoded to any ESI
// and decoded from any K or so of them.
import { requireBytes, requireInteger } from './errors.mjs';

const MAX_ESI = 0xffffff;
const MAX_K = 56403;
const MAX_T = 65535;

function requireLive(object, what) {
  if (!object.ptr) throw new Error(`${what} was freed`);
}

export class BlockEncoder {
  /** source: K*T bytes, symbol-major. */
  constructor(native, source, sourceSymbols, symbolSize) {
    requireBytes('source', source);
    requireInteger('sourceSymbols', sourceSymbols, 1, MAX_K);
    requireInteger('symbolSize', symbolSize, 1, MAX_T);
    if (source.length !== sourceSymbols * symbolSize) {
      throw new RangeError(`source must be sourceSymbols * symbolSize = ${sourceSymbols * symbolSize} bytes, not ${source.length}`);
    }
    this.native = native;
    this.sourceSymbols = sourceSymbols;
    this.symbolSize = symbolSize;
    const src = native.copyIn(source);
    try {
      this.ptr = native.createObject('rq_encoder_create_in', (out) =>
        native.m._rq_encoder_create_in(native.ctx, out, sourceSymbols, symbolSize, src, source.length));
    } finally {
      native.m._free(src);
    }
  }

  /** The encoding symbol of this ESI (source symbols below K, repair from K on). */
  symbol(esi) {
    const out = new Uint8Array(this.symbolSize);
    writeSymbol(this, esi, out, 0);
    return out;
  }

  free() {
    if (this.ptr) this.native.m._rq_encoder_destroy(this.ptr);
    if (this.out) this.native.m._free(this.out);
    this.ptr = 0;
    this.out = 0;
  }
}

/** Encodes symbol esi of encoder straight into target at offset (the package's packets are made so). */
export function writeSymbol(encoder, esi, target, offset) {
  requireLive(encoder, 'BlockEncoder');
  requireInteger('esi', esi, 0, MAX_ESI);
  const n = encoder.native;
  const t = encoder.symbolSize;
  // One output slot on the heap for the encoder's life: a symbol costs one call, not an allocation.
  encoder.out ||= n.malloc(t);
  n.check('rq_encoder_symbol', n.m._rq_encoder_symbol(encoder.ptr, esi, encoder.out, t));
  target.set(n.heap().subarray(encoder.out, encoder.out + t), offset);
}

export class BlockDecoder {
  constructor(native, sourceSymbols, symbolSize) {
    requireInteger('sourceSymbols', sourceSymbols, 1, MAX_K);
    requireInteger('symbolSize', symbolSize, 1, MAX_T);
    this.native = native;
    this.sourceSymbols = sourceSymbols;
    this.symbolSize = symbolSize;
    this.ptr = native.createObject('rq_decoder_create_in', (out) =>
      native.m._rq_decoder_create_in(native.ctx, out, sourceSymbols, symbolSize));
  }

  /** Hands over one symbol: 'ok', 'duplicate', 'already-decoded' or 'not-kept'. */
  add(esi, symbol) {
    requireLive(this, 'BlockDecoder');
    requireInteger('esi', esi, 0, MAX_ESI);
    requireBytes('symbol', symbol);
    const n = this.native;
    // One input slot on the heap for the decoder's life, as the encoder's output slot; librq
    // itself refuses a symbol of the wrong length, so such a one is passed as it is.
    this.in ||= n.malloc(this.symbolSize);
    const fits = symbol.length <= this.symbolSize;
    const p = fits ? this.in : n.copyIn(symbol);
    if (fits) n.heap().set(symbol, p);
    try {
      return n.check('rq_decoder_add_symbol', n.m._rq_decoder_add_symbol(this.ptr, esi, p, symbol.length));
    } finally {
      if (!fits) n.m._free(p);
    }
  }

  /** How many more symbols before decode() can succeed (0: try now). */
  needed() {
    requireLive(this, 'BlockDecoder');
    return this.readCount('rq_decoder_symbols_needed', this.native.m._rq_decoder_symbols_needed);
  }

  held() {
    requireLive(this, 'BlockDecoder');
    return this.readCount('rq_decoder_symbols_held', this.native.m._rq_decoder_symbols_held);
  }

  readCount(operation, fn) {
    return this.native.outWord(operation, (out) => fn(this.ptr, out)) >>> 0;
  }

  /** Solves: true when decoded, false when the symbols held do not determine the block yet. */
  decode() {
    requireLive(this, 'BlockDecoder');
    const n = this.native;
    const code = n.m._rq_decoder_decode(this.ptr);
    if (code === -17) return false; /* RQ_ERR_NEED_MORE_SYMBOLS: add more and retry */
    n.check('rq_decoder_decode', code);
    return true;
  }

  /** The K*T source bytes of the decoded block. */
  source() {
    requireLive(this, 'BlockDecoder');
    const n = this.native;
    const length = this.sourceSymbols * this.symbolSize;
    const out = n.malloc(length);
    try {
      n.check('rq_decoder_source', n.m._rq_decoder_source(this.ptr, out, length));
      return n.copyOut(out, length);
    } finally {
      n.m._free(out);
    }
  }

  free() {
    if (this.ptr) this.native.m._rq_decoder_destroy(this.ptr);
    if (this.in) this.native.m._free(this.in);
    this.ptr = 0;
    this.in = 0;
  }
}
