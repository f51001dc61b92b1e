// The block codec (RFC 6330 §5) and its errors in both flavours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, RqError } from '../src/index.mjs';
import { equalBytes, splitmixBytes } from './support/helpers.mjs';

for (const flavour of ['simd', 'scalar']) {
  test(`${flavour}: blocks decode from repair symbols only, and from a mix`, async () => {
    const rq = await load({ flavour });
    for (const [k, t] of [[1, 1], [10, 16], [101, 1029], [1000, 1280]]) {
      const source = splitmixBytes(k * 31 + t, k * t);
      const encoder = rq.blockEncoder(source, k, t);
      for (let esi = 0; esi < k; esi += Math.max(1, k >> 3)) {
        assert.ok(equalBytes(encoder.symbol(esi), source.subarray(esi * t, (esi + 1) * t)), `systematic ${esi}`);
      }
      const decoder = rq.blockDecoder(k, t);
      for (let esi = k; decoder.needed() > 0; esi++) decoder.add(esi, encoder.symbol(esi));
      let decoded = decoder.decode();
      for (let esi = 2 * k + 10; !decoded; esi++) {
        decoder.add(esi, encoder.symbol(esi)); /* a dependent set needs one more */
        decoded = decoder.decode();
      }
      assert.ok(equalBytes(decoder.source(), source), `K=${k} T=${t}`);
      assert.equal(decoder.add(0, encoder.symbol(0)), 'already-decoded');
      encoder.free();
      decoder.free();
    }
    rq.free();
  });

  test(`${flavour}: bad arguments are rejected with specific errors, never a crash`, async () => {
    const rq = await load({ flavour });
    assert.throws(() => rq.blockEncoder('text', 1, 4), TypeError);
    assert.throws(() => rq.blockEncoder(new Uint8Array(8), 3, 4), RangeError);
    assert.throws(() => rq.blockEncoder(new Uint8Array(8), -2, 4), RangeError);
    assert.throws(() => rq.blockEncoder(new Uint8Array(8), 2.5, 4), TypeError);
    assert.throws(() => rq.blockDecoder(0, 4), RangeError);
    const decoder = rq.blockDecoder(4, 8);
    assert.equal(decoder.decode(), false);
    assert.throws(() => decoder.add(0, new Uint8Array(7)),
      (e) => e instanceof RqError && e.status === 'RQ_ERR_SYMBOL_LENGTH');
    assert.throws(() => decoder.source(), (e) => e instanceof RqError && e.code < 0);
    assert.equal(decoder.add(1, new Uint8Array(8)), 'ok');
    assert.equal(decoder.add(1, new Uint8Array(8)), 'duplicate');
    decoder.free();
    assert.throws(() => decoder.add(2, new Uint8Array(8)), /freed/);
    assert.throws(() => rq.otiParse(new Uint8Array(12)), (e) => e instanceof RqError && e.status.startsWith('RQ_ERR'));
    assert.throws(() => rq.objectDecoder({ transferLength: 10 }), TypeError);
    const oti = rq.otiWithDefaults(1000, 64);
    const objects = rq.objectDecoder(oti);
    assert.throws(() => objects.add(new Uint8Array(5)), (e) => e instanceof RqError && e.status === 'RQ_ERR_PACKET_SIZE');
    const badSbn = new Uint8Array(4 + oti.symbolSize);
    badSbn[0] = 9;
    assert.throws(() => objects.add(badSbn), (e) => e instanceof RqError && e.status === 'RQ_ERR_SBN');
    objects.free();
    rq.free();
  });
}
