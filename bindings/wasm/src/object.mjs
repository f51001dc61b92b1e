// Whole objects (RFC 6330 §4): the Object Transmission Information, and
// encoders and decoders of packets (4-byte payload ID + T bytes).
import { requireBytes, requireInteger } from './errors.mjs';

const OTI_BYTES = 24; /* struct rq_oti on wasm32: u64 F, then T, Z, N, Al */

function otiToHeap(native, oti) {
  const p = native.malloc(OTI_BYTES);
  const view = new DataView(native.heap().buffer, p, OTI_BYTES);
  view.setBigUint64(0, BigInt(oti.transferLength), true);
  view.setUint32(8, oti.symbolSize, true);
  view.setUint32(12, oti.sourceBlocks, true);
  view.setUint32(16, oti.subBlocks, true);
  view.setUint32(20, oti.alignment, true);
  return p;
}

function otiFromHeap(native, p) {
  const view = new DataView(native.heap().buffer, p, OTI_BYTES);
  return Object.freeze({
    transferLength: Number(view.getBigUint64(0, true)),
    symbolSize: view.getUint32(8, true),
    sourceBlocks: view.getUint32(12, true),
    subBlocks: view.getUint32(16, true),
    alignment: view.getUint32(20, true),
  });
}

function requireOti(oti) {
  if (oti === null || typeof oti !== 'object') throw new TypeError('oti must be an object');
  requireInteger('oti.transferLength', oti.transferLength, 0, Number.MAX_SAFE_INTEGER);
  for (const field of ['symbolSize', 'sourceBlocks', 'subBlocks', 'alignment']) {
    requireInteger(`oti.${field}`, oti[field], 0, 0xffffffff);
  }
}

/** Runs fn(otiPointer) on a scratch rq_oti and returns it read back. */
function withOtiOut(native, operation, fn) {
  const p = native.malloc(OTI_BYTES);
  try {
    native.check(operation, fn(p));
    return otiFromHeap(native, p);
  } finally {
    native.m._free(p);
  }
}

export function otiWithDefaults(native, transferLength, maxPayload) {
  requireInteger('transferLength', transferLength, 0, Number.MAX_SAFE_INTEGER);
  requireInteger('maxPayload', maxPayload, 1, 0xffffffff);
  return withOtiOut(native, 'rq_oti_with_defaults', (p) =>
    native.m._rq_oti_with_defaults(BigInt(transferLength), maxPayload, p));
}

/** RFC 6330 §4.3: the OTI for F bytes, payloads of maxPayload, blocks of at most workingMemory bytes. */
export function otiDerive(native, transferLength, maxPayload, workingMemory, alignment, minSubSymbols) {
  requireInteger('transferLength', transferLength, 0, Number.MAX_SAFE_INTEGER);
  requireInteger('maxPayload', maxPayload, 1, 0xffffffff);
  requireInteger('workingMemory', workingMemory, 1, Number.MAX_SAFE_INTEGER);
  requireInteger('alignment', alignment, 1, 255);
  requireInteger('minSubSymbols', minSubSymbols, 1, 0xffffffff);
  return withOtiOut(native, 'rq_oti_derive', (p) =>
    native.m._rq_oti_derive(BigInt(transferLength), maxPayload, BigInt(workingMemory), alignment, minSubSymbols, p));
}

export function otiParse(native, bytes) {
  requireBytes('bytes', bytes);
  const src = native.copyIn(bytes);
  try {
    return withOtiOut(native, 'rq_oti_parse', (p) => native.m._rq_oti_parse(src, bytes.length, p));
  } finally {
    native.m._free(src);
  }
}

export function otiSerialize(native, oti) {
  requireOti(oti);
  const p = otiToHeap(native, oti);
  const out = native.malloc(12);
  try {
    native.check('rq_oti_serialize', native.m._rq_oti_serialize(p, out, 12));
    return native.copyOut(out, 12);
  } finally {
    native.m._free(p);
    native.m._free(out);
  }
}

/** Source block sbn of an object: K, K', and where its bytes lie in the object. */
export function blockLayout(native, oti, sbn) {
  requireOti(oti);
  requireInteger('sbn', sbn, 0, 255);
  const p = otiToHeap(native, oti);
  const out = native.malloc(24); /* struct rq_block_layout: u32 K, u32 K', u64 offset, u64 length */
  try {
    native.check('rq_oti_block_layout', native.m._rq_oti_block_layout(p, sbn, out));
    const view = new DataView(native.heap().buffer, out, 24);
    return Object.freeze({
      sourceSymbols: view.getUint32(0, true),
      paddedSymbols: view.getUint32(4, true),
      offset: Number(view.getBigUint64(8, true)),
      length: Number(view.getBigUint64(16, true)),
    });
  } finally {
    native.m._free(p);
    native.m._free(out);
  }
}

export class ObjectEncoder {
  /** data: the F bytes of the object, copied into the module for the encoder's life. */
  constructor(native, oti, data) {
    requireOti(oti);
    requireBytes('data', data);
    if (data.length !== oti.transferLength) {
      throw new RangeError(`data must be oti.transferLength = ${oti.transferLength} bytes, not ${data.length}`);
    }
    this.native = native;
    this.oti = oti;
    this.data = native.copyIn(data);
    const p = otiToHeap(native, oti);
    try {
      this.ptr = native.createObject('rq_object_encoder_create_in', (out) =>
        native.m._rq_object_encoder_create_in(native.ctx, out, p, this.data, data.length));
    } catch (e) {
      native.m._free(this.data);
      this.data = 0;
      throw e;
    } finally {
      native.m._free(p);
    }
  }

  /** The packet (payload ID + T bytes) of symbol esi of source block sbn. */
  packet(sbn, esi) {
    if (!this.ptr) throw new Error('ObjectEncoder was freed');
    requireInteger('sbn', sbn, 0, 255);
    requireInteger('esi', esi, 0, 0xffffff);
    const n = this.native;
    const length = 4 + this.oti.symbolSize;
    const out = n.malloc(length);
    try {
      n.check('rq_object_encoder_packet', n.m._rq_object_encoder_packet(this.ptr, sbn, esi, out, length));
      return n.copyOut(out, length);
    } finally {
      n.m._free(out);
    }
  }

  free() {
    if (this.ptr) this.native.m._rq_object_encoder_destroy(this.ptr);
    if (this.data) this.native.m._free(this.data);
    this.ptr = 0;
    this.data = 0;
  }
}

export class ObjectDecoder {
  constructor(native, oti) {
    requireOti(oti);
    this.native = native;
    this.oti = oti;
    const p = otiToHeap(native, oti);
    try {
      this.ptr = native.createObject('rq_object_decoder_create_in', (out) =>
        native.m._rq_object_decoder_create_in(native.ctx, out, p));
    } finally {
      native.m._free(p);
    }
  }

  /** Hands over one packet: 'ok', 'duplicate' or 'already-decoded'. */
  add(packet) {
    if (!this.ptr) throw new Error('ObjectDecoder was freed');
    requireBytes('packet', packet);
    const n = this.native;
    const p = n.copyIn(packet);
    try {
      return n.check('rq_object_decoder_add_packet', n.m._rq_object_decoder_add_packet(this.ptr, p, packet.length));
    } finally {
      n.m._free(p);
    }
  }

  /** Whether every source block is decoded. */
  complete() {
    if (!this.ptr) throw new Error('ObjectDecoder was freed');
    const n = this.native;
    return n.outWord('rq_object_decoder_complete', (out) => n.m._rq_object_decoder_complete(this.ptr, out)) !== 0;
  }

  /** The F bytes of the object, once complete. */
  data() {
    if (!this.ptr) throw new Error('ObjectDecoder was freed');
    const n = this.native;
    const length = this.oti.transferLength;
    const out = n.malloc(length);
    try {
      n.check('rq_object_decoder_data', n.m._rq_object_decoder_data(this.ptr, out, length));
      return n.copyOut(out, length);
    } finally {
      n.m._free(out);
    }
  }

  free() {
    if (this.ptr) this.native.m._rq_object_decoder_destroy(this.ptr);
    this.ptr = 0;
  }
}
