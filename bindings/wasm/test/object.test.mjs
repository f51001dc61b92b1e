// Round trips through the object codec in both flavours: sizes from 1 byte
// to several source blocks, with source packets lost and repair packets in
// their place, and the two flavours making the same packets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../src/index.mjs';
import { equalBytes, splitmixBytes } from './support/helpers.mjs';

/** Every packet of every block, losing each source packet with probability `loss`. */
function* packetsWithLoss(rq, oti, encoder, loss, seed) {
  const random = splitmixBytes(seed, 1 << 16);
  let r = 0;
  const blocks = oti.sourceBlocks;
  const symbols = Math.ceil(oti.transferLength / oti.symbolSize);
  for (let sbn = 0; sbn < blocks; sbn++) {
    const k = Math.ceil(symbols / blocks) + 1; /* at least K of the block: KL = ceil(Kt/Z) */
    let lost = 0;
    for (let esi = 0; esi < k; esi++) {
      if (random[r++ % random.length] < loss * 256) {
        lost++;
      } else {
        yield encoder.packet(sbn, esi);
      }
    }
    for (let j = 0; j < lost + 2; j++) yield encoder.packet(sbn, k + 1000 + j);
  }
}

for (const flavour of ['simd', 'scalar']) {
  test(`${flavour}: objects of 1 byte to 3 blocks round-trip with 20% of the source lost`, async () => {
    const rq = await load({ flavour });
    for (const [size, payload] of [[1, 64], [1000, 64], [65537, 1024], [300001, 1400], [2000003, 8192]]) {
      const data = splitmixBytes(size, size);
      let oti = rq.otiWithDefaults(size, payload);
      if (size === 2000003) oti = { ...oti, sourceBlocks: 3 };
      const encoder = rq.objectEncoder(oti, data);
      const decoder = rq.objectDecoder(oti);
      for (const packet of packetsWithLoss(rq, oti, encoder, 0.2, size)) {
        decoder.add(packet);
      }
      assert.ok(decoder.complete(), `size ${size}`);
      assert.ok(equalBytes(decoder.data(), data), `size ${size}`);
      encoder.free();
      decoder.free();
    }
    rq.free();
  });
}

test('the simd and scalar flavours make the same repair packets', async () => {
  const simd = await load({ flavour: 'simd' });
  const scalar = await load({ flavour: 'scalar' });
  const data = splitmixBytes(7, 150000);
  const oti = simd.otiWithDefaults(data.length, 1280);
  const a = simd.objectEncoder(oti, data);
  const b = scalar.objectEncoder(oti, data);
  for (const esi of [0, 5, 117, 118, 500, 65535, 1 << 20]) {
    assert.ok(equalBytes(a.packet(0, esi), b.packet(0, esi)), `esi ${esi}`);
  }
  a.free();
  b.free();
});
