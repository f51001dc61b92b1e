// Loads one of the two builds of librq's WebAssembly module: `simd` (with
// the SIMD128 kernels) where the engine validates SIMD instructions, else
// `scalar`. Each module file embeds its wasm (emscripten SINGLE_FILE), so
// there is nothing to fetch beside it.

// The smallest module that uses a SIMD instruction (v128.const in a function).
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
]);

/** Whether this engine runs WebAssembly SIMD128. */
export function engineHasSimd() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/**
 * The emscripten module of the flavour asked for ('simd', 'scalar' or
 * 'auto', the default), instantiated.
 */
export async function loadModule(flavour = 'auto') {
  if (flavour !== 'auto' && flavour !== 'simd' && flavour !== 'scalar') {
    throw new TypeError(`flavour must be 'auto', 'simd' or 'scalar', not ${String(flavour)}`);
  }
  const simd = engineHasSimd();
  if (flavour === 'simd' && !simd) {
    throw new Error('this engine does not run WebAssembly SIMD128; load the scalar flavour');
  }
  const chosen = flavour === 'auto' ? (simd ? 'simd' : 'scalar') : flavour;
  const factory = chosen === 'simd'
    ? (await import('../dist/rq_simd.mjs')).default
    : (await import('../dist/rq_scalar.mjs')).default;
  return { module: await factory(), flavour: chosen };
}
