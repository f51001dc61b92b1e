// index.d.ts against the objects the package really makes: every method a
// declared class lists exists on an instance, and every public method of an
// instance is declared (so the types and the code do not drift apart); and
// tsc --strict compiles test/types/usage.ts against them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FolderStore, load, MemoryStore, startWorker } from '../src/index.mjs';

const DTS = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8');

/** Method names declared in `export class NAME { ... }`. */
function declaredMethods(name) {
  const body = DTS.match(new RegExp(`export class ${name} [^{]*\\{([\\s\\S]*?)\\n\\}`));
  assert.ok(body, `index.d.ts declares class ${name}`);
  return [...body[1].matchAll(/^\s+(\w+)\(/gm)].map((m) => m[1]).filter((n) => n !== 'constructor').sort();
}

/** The public methods an instance has (its prototype's, constructor left out). */
function actualMethods(object) {
  return Object.getOwnPropertyNames(Object.getPrototypeOf(object))
    .filter((n) => n !== 'constructor' && typeof object[n] === 'function' && !isInternal(object, n))
    .sort();
}

/** Helpers the classes use among themselves, left out of the types on purpose. */
function isInternal(_object, name) {
  return name === 'readCount';
}

test('index.d.ts declares exactly the methods of the objects load() makes', async () => {
  const rq = await load();
  const oti = rq.otiWithDefaults(1000, 64);
  const objects = {
    Librq: rq,
    BlockEncoder: rq.blockEncoder(new Uint8Array(16), 2, 8),
    BlockDecoder: rq.blockDecoder(2, 8),
    ObjectEncoder: rq.objectEncoder(oti, new Uint8Array(1000)),
    ObjectDecoder: rq.objectDecoder(oti),
    MemoryStore: new MemoryStore(),
    FolderStore: new FolderStore('unused'),
  };
  for (const [name, object] of Object.entries(objects)) {
    assert.deepEqual(actualMethods(object), declaredMethods(name), name);
  }
  for (const [name, object] of Object.entries(objects)) if (name !== 'Librq' && object.free) object.free();
  rq.free();
  const worker = await startWorker();
  assert.deepEqual(actualMethods(worker), declaredMethods('RqWorker'), 'RqWorker');
  await worker.terminate();
});

test('a strict TypeScript program using both entry points compiles against the .d.ts files', async (t) => {
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  if (!existsSync(tsc)) {
    t.skip('typescript is not installed (npm ci in bindings/wasm)');
    return;
  }
  const project = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url));
  const run = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
  assert.equal(run.status, 0, `tsc found errors:\n${run.stdout}${run.stderr}`);
});
