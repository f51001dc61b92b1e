// The C side of one loaded module: calls into the exported rq_* functions,
// with scratch memory on the module's heap and every status checked.
import { RqError } from './errors.mjs';

const NOTICES = { 0: 'ok', 1: 'duplicate', 2: 'already-decoded', 3: 'not-kept' };

export class Native {
  constructor(module, flavour) {
    this.m = module;
    this.flavour = flavour;
    this.ctx = 0;
    this.ctx = this.outWord('rq_context_create', (out) => this.m._rq_context_create(out));
  }

  malloc(bytes) {
    const p = this.m._malloc(Math.max(bytes, 1));
    if (!p) throw new RqError('malloc', -2, 'RQ_ERR_NO_MEMORY', `${bytes} bytes of module memory`);
    return p;
  }

  /** The module's bytes now (a view made after the last call: memory may have grown). */
  heap() {
    return this.m.HEAPU8;
  }

  /** Copies bytes onto the heap; the caller frees the pointer. */
  copyIn(bytes) {
    const p = this.malloc(bytes.length);
    this.heap().set(bytes, p);
    return p;
  }

  copyOut(p, length) {
    return this.heap().slice(p, p + length);
  }

  statusName(code) {
    return this.m.UTF8ToString(this.m._rq_status_name(code));
  }

  lastError() {
    if (!this.ctx) return '';
    const buf = this.malloc(512);
    this.m._rq_context_last_error(this.ctx, buf, 512);
    const text = this.m.UTF8ToString(buf);
    this.m._free(buf);
    return text;
  }

  /** Throws an RqError for a failed status (< 0); returns the notice's name otherwise. */
  check(operation, code) {
    if (code >= 0) return NOTICES[code] ?? 'ok';
    const detail = this.lastError() || this.m.UTF8ToString(this.m._rq_strerror(code));
    throw new RqError(operation, code, this.statusName(code), detail);
  }

  /** Runs fn(out), out a 4-byte slot it fills, checks its status and returns the slot's int32. */
  outWord(operation, fn) {
    const out = this.malloc(4);
    try {
      this.check(operation, fn(out));
      return this.m.getValue(out, 'i32');
    } finally {
      this.m._free(out);
    }
  }

  /** A created object's pointer (fn(out) writes it). */
  createObject(operation, fn) {
    return this.outWord(operation, fn);
  }

  backend() {
    return this.m.UTF8ToString(this.outWord('rq_context_backend', (out) => this.m._rq_context_backend(this.ctx, out)));
  }

  version() {
    return this.m.UTF8ToString(this.outWord('rq_version', (out) => this.m._rq_version(out)));
  }

  free() {
    if (this.ctx) this.m._rq_context_destroy(this.ctx);
    this.ctx = 0;
  }
}
