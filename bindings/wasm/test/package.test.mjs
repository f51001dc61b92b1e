// The package as npm packs it: the tarball holds every file its exports and
// types name, and a project that installs it imports 'librq-wasm' and
// 'librq-wasm/rq-library' by name, loads the module and codes a block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args, cwd) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

test('npm pack holds what the exports name, and an installed copy imports and codes by name', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'librq-pack-'));
  try {
    const [packed] = JSON.parse(run(NPM, ['pack', '--json', '--pack-destination', dir], PACKAGE));
    const files = packed.files.map((f) => f.path);
    const manifest = JSON.parse(await readFile(join(PACKAGE, 'package.json'), 'utf8'));
    for (const entry of Object.values(manifest.exports)) {
      for (const target of Object.values(entry)) assert.ok(files.includes(target.replace(/^\.\//, '')), `${target} is packed`);
    }
    for (const needed of ['dist/rq_simd.mjs', 'dist/rq_scalar.mjs', 'src/worker_entry.mjs']) assert.ok(files.includes(needed), needed);
    assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('demo/')), 'no tests or demo in the package');

    const project = join(dir, 'project');
    const installed = join(project, 'node_modules', 'librq-wasm');
    await mkdir(installed, { recursive: true });
    run('tar', ['-xzf', join(dir, packed.filename), '-C', installed, '--strip-components=1'], dir);
    await writeFile(join(project, 'package.json'), '{"type": "module", "private": true}');
    await writeFile(join(project, 'use.mjs'), `
      import { load, startWorker } from 'librq-wasm';
      import init, { RaptorQSession } from 'librq-wasm/rq-library';
      const rq = await load();
      const enc = rq.blockEncoder(new Uint8Array(64).fill(7), 4, 16);
      const dec = rq.blockDecoder(4, 16);
      for (let esi = 4; dec.needed() > 0; esi++) dec.add(esi, enc.symbol(esi));
      const w = await startWorker();
      let packets = 0;
      await w.encodeStream(new Uint8Array(5000), { symbolSize: 64, onPacket: () => { packets++; } });
      await w.terminate();
      await init();
      console.log(JSON.stringify({ decoded: dec.decode() && dec.source().every((v) => v === 7), packets,
        backend: rq.backend, version: RaptorQSession.version() }));
    `);
    const report = JSON.parse(run(process.execPath, ['use.mjs'], project));
    assert.equal(report.decoded, true);
    assert.ok(report.packets > 78);
    assert.match(report.version, /^librq \d+\.\d+\.\d+/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
