// Errors from librq carry its status: `status` is the name (RQ_ERR_ESI, ...),
// `code` the number, and the message is the library's own for the call.

export class RqError extends Error {
  constructor(operation, code, status, detail) {
    super(`${operation}: ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'RqError';
    this.operation = operation;
    this.code = code;
    this.status = status;
  }
}

/** Throws a TypeError unless value is a Uint8Array. */
export function requireBytes(name, value) {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${name} must be a Uint8Array, not ${value === null ? 'null' : typeof value}`);
  }
}

/** Throws unless value is an integer in [min, max]. */
export function requireInteger(name, value, min, max) {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, not ${typeof value === 'number' ? value : typeof value}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`${name} must be in ${min}..${max}, not ${value}`);
  }
}

/** An error as plain data, to cross a worker's message channel. */
export function errorToMessage(e) {
  const error = e instanceof Error ? e : new Error(String(e));
  return { name: error.name, message: error.message, operation: error.operation, code: error.code, status: error.status };
}

/** The error errorToMessage described, of the same class where it is a standard one. */
export function errorFromMessage(m) {
  if (m.name === 'RqError') {
    const e = new RqError(m.operation, m.code, m.status);
    e.message = m.message;
    return e;
  }
  const Kind = { TypeError, RangeError }[m.name] ?? Error;
  const e = new Kind(m.message);
  if (Kind === Error && m.name !== 'Error') e.name = m.name;
  return e;
}
