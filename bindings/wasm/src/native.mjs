// The C side of one loaded module: calls into the exported rq_* functions,
// with scratch memory on the module's heap and every status checked.
import { RqError } from './errors.mjs';

const NOTICES = { 0: 'ok', 1: 'duplicate', 2: 'already-decoded', 3: 'not-kept' };

export class Native {
  constructor(module, flavour) {
    this.m = module;
    this.flavour = flavour;
    const out = this.malloc(4);
    this.check('rq_context_create', this.m._rq_context_create(out), 0);
    this.ctx = this.m.getValue(out, 'i32');
    this.m._free(out);
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

  /** Runs fn(outPointer) and returns the pointer it wrote there. */
  createObject(operation, fn) {
    const out = this.malloc(4);
    try {
      this.check(operation, fn(out));
      return this.m.getValue(out, 'i32');
    } finally {
      this.m._free(out);
    }
  }

  backend() {
    const out = this.malloc(4);
    this.check('rq_context_backend', this.m._rq_context_backend(this.ctx, out));
    const name = this.m.UTF8ToString(this.m.getValue(out, 'i32'));
    this.m._free(out);
    return name;
  }

  version() {
    const out = this.malloc(4);
    this.check('rq_version', this.m._rq_version(out));
    const v = this.m.UTF8ToString(this.m.getValue(out, 'i32'));
    this.m._free(out);
    return v;
  }

  free() {
    if (this.ctx) this.m._rq_context_destroy(this.ctx);
    this.ctx = 0;
  }
}
