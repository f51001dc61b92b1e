// Shared by the Node tests: the conformance data in tests/data (beside this
// package in librq's tree) and the generator its objects were made with.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
export const DATA_DIR = join(here, '..', '..', '..', '..', 'tests', 'data', 'rfc6330');

/** The first len bytes of the splitmix64 stream of seed (little-endian words). */
export function splitmixBytes(seed, len) {
  const out = new Uint8Array(len);
  const mask = (1n << 64n) - 1n;
  let state = BigInt(seed);
  for (let i = 0; i < len;) {
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    z ^= z >> 31n;
    for (let b = 0; b < 8 && i < len; b++, i++) out[i] = Number((z >> BigInt(8 * b)) & 0xffn);
  }
  return out;
}

export function loadCases() {
  return JSON.parse(readFileSync(join(DATA_DIR, 'cases.json'), 'utf8')).cases;
}

export function readPackets(name) {
  return new Uint8Array(readFileSync(join(DATA_DIR, name)));
}

export function hexBytes(hex) {
  return Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16));
}

export function equalBytes(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
