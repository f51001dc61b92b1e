// rq-library-wasm's calling sequence against librq-wasm/rq-library: the
// files go in through writeFileChunk, a RaptorQSession encodes them, and
// every symbol file and the layout must be byte for byte what the real
// rq-library wrote for the same input (tests/data/rq-library, its Linux
// build's output); then decoding after losing symbols gives the input back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import init, {
  RaptorQSession, createDirAll, dirExists, getFileSize, listDir, readFileChunk, removeFile, syncDirExists,
  writeFileChunk, flushFile,
} from '../src/rq_library.mjs';
import { RqError } from '../src/index.mjs';
import { equalBytes, splitmixBytes } from './support/helpers.mjs';

const SAMPLES = fileURLToPath(new URL('../../../tests/data/rq-library', import.meta.url));

function filesUnder(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out.sort();
}

function memFilesUnder(dir, prefix = '') {
  const out = [];
  for (const name of listDir(dir)) {
    const path = `${dir}/${name}`;
    if (syncDirExists(path)) out.push(...memFilesUnder(path, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out.sort();
}

async function putFile(path, data) {
  for (let at = 0; at < data.length; at += 65536) {
    await writeFileChunk(path, at, data.subarray(at, at + 65536));
  }
  await flushFile(path);
}

for (const sample of readdirSync(SAMPLES).filter((n) => statSync(join(SAMPLES, n)).isDirectory())) {
  test(`${sample}: rq-library's symbol files and layout, byte for byte, then decoded after losses`, async () => {
    await init();
    const input = JSON.parse(readFileSync(join(SAMPLES, sample, 'input.json'), 'utf8'));
    const expected = JSON.parse(readFileSync(join(SAMPLES, sample, 'result.json'), 'utf8'));
    const data = splitmixBytes(input.seed, input.size);
    const inPath = `/${sample}/input.bin`;
    const outDir = `/${sample}/symbols`;
    await putFile(inPath, data);
    assert.equal(getFileSize(inPath), data.length);

    const session = new RaptorQSession(input.symbol_size, input.redundancy_factor, 1024n, 4n);
    const result = await session.encode_file(inPath, outDir, input.block_size);
    assert.equal(result.totalSymbolsCount, expected.total_symbols_count);
    assert.equal(result.totalRepairSymbols, expected.total_repair_symbols);
    assert.equal(result.symbolsDirectory, outDir);
    assert.equal(result.layoutFilePath, `${outDir}/_raptorq_layout.json`);
    assert.deepEqual(result.blocks, expected.blocks);
    assert.ok(equalBytes(result.encoderParameters, Uint8Array.from(expected.blocks[0].encoder_parameters)));

    const want = filesUnder(join(SAMPLES, sample, 'symbols'));
    assert.deepEqual(memFilesUnder(outDir), want);
    for (const name of want) {
      const bytes = readFileSync(join(SAMPLES, sample, 'symbols', name));
      const got = await readFileChunk(`${outDir}/${name}`, 0, bytes.length + 1);
      assert.ok(equalBytes(got, bytes), name);
    }

    await createDirAll(`/${sample}/meta`);
    const metadata = await session.create_metadata(inPath, `/${sample}/meta/layout.json`, input.block_size);
    assert.equal(metadata.totalSymbolsCount, expected.total_symbols_count);
    const layout = readFileSync(join(SAMPLES, sample, 'symbols', '_raptorq_layout.json'));
    assert.ok(equalBytes(await readFileChunk(`/${sample}/meta/layout.json`, 0, 1 << 24), layout));

    // Half of every block's symbol files lost (redundancy 4 leaves enough) and one of the rest damaged:
    // its hash no longer matches its name, so decoding leaves it out.
    const symbolFiles = want.filter((n) => n.startsWith('block_'));
    for (const name of symbolFiles.filter((n, i) => i % 2 === 0)) removeFile(`${outDir}/${name}`);
    const damaged = `${outDir}/${symbolFiles[1]}`;
    const byte = await readFileChunk(damaged, 10, 1);
    await writeFileChunk(damaged, 10, Uint8Array.of(byte[0] ^ 0x40));
    assert.equal(await session.decode_symbols(outDir, `/${sample}/back.bin`, `${outDir}/_raptorq_layout.json`), true);
    assert.ok(equalBytes(await readFileChunk(`/${sample}/back.bin`, 0, data.length + 1), data));
    session.free();
  });
}

test('the helpers, version and failures behave as rq-library-wasm\'s, with librq\'s messages', async () => {
  await init();
  await createDirAll('/h/a/b');
  assert.equal(await dirExists('/h/a/b'), true);
  assert.equal(syncDirExists('/h/none'), false);
  assert.equal(getFileSize('/h/none'), 0);
  await writeFileChunk('/h/f', 4, Uint8Array.of(9, 9));
  assert.deepEqual([...(await readFileChunk('/h/f', 0, 100))], [0, 0, 0, 0, 9, 9]);
  assert.equal((await readFileChunk('/h/f', 10, 5)).length, 0);
  assert.match(RaptorQSession.version(), /^librq .* \(rq-library ABI 0\.1\.0\)$/);

  const session = new RaptorQSession(1024, 2, 64n, 2n);
  assert.equal(session.get_recommended_block_size(1000), 0);
  await assert.rejects(session.encode_file('/h/missing.bin', '/h/out', 0),
    (e) => e instanceof RqError && e.code === -12 && e.message.length > 30);
  await writeFileChunk('/h/empty', 0, new Uint8Array(0));
  await assert.rejects(session.encode_file('/h/empty', '/h/out', 0), (e) => e instanceof RqError && e.code === -14);
  const data = splitmixBytes(5, 20000);
  await writeFileChunk('/h/in', 0, data);
  await session.encode_file('/h/in', '/h/out', 0);
  for (const name of listDir('/h/out/block_0')) removeFile(`/h/out/block_0/${name}`);
  await assert.rejects(session.decode_symbols('/h/out', '/h/back', '/h/out/_raptorq_layout.json'),
    (e) => e instanceof RqError && e.status === 'RQL_DECODE_FAILED' && /block 0/.test(e.message));
  assert.throws(() => new RaptorQSession(1024, 2, 1n, 2n), RqError);
  assert.throws(() => new RaptorQSession(-5, 2, 64n, 2n), RangeError);
  session.free();
  await assert.rejects(session.encode_file('/h/in', '/h/out', 0), /freed/);
});
