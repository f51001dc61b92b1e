// RFC 6330 conformance in both module flavours: every packet of the shared
// vectors (made by an independent implementation) is reproduced byte for
// byte, so the symbols are the native library's too (its tests check the
// same vectors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { load } from '../src/index.mjs';
import { equalBytes, hexBytes, loadCases, readPackets, splitmixBytes } from './support/helpers.mjs';

const cases = loadCases().filter((c) => c.packets_file);

for (const flavour of ['simd', 'scalar']) {
  test(`${flavour}: every packet of the ${cases.length} vector cases with packets`, async () => {
    const rq = await load({ flavour });
    assert.equal(rq.backend, flavour === 'simd' ? 'wasm-simd128' : 'scalar');
    for (const c of cases) {
      const oti = rq.otiParse(hexBytes(c.oti_hex));
      assert.equal(oti.transferLength, c.F, c.name);
      const encoder = rq.objectEncoder(oti, splitmixBytes(c.seed, c.F));
      const packets = readPackets(c.packets_file);
      let at = 0;
      for (const block of c.blocks) {
        for (const s of block.symbols) {
          const packet = encoder.packet(block.sbn, s.esi);
          const expected = packets.subarray(at, at + packet.length);
          at += packet.length;
          assert.ok(equalBytes(packet, expected), `${c.name} sbn ${block.sbn} esi ${s.esi}`);
          const sha = createHash('sha256').update(packet.subarray(4)).digest('hex');
          assert.equal(sha, s.sha256, `${c.name} sbn ${block.sbn} esi ${s.esi}`);
        }
      }
      assert.equal(at, packets.length, `${c.name}: every packet compared`);
      encoder.free();
    }
    rq.free();
  });
}
