// The demo's coding runs here, off the page's thread: the page posts
// { id, type: 'encode' | 'decode', ... } and gets { id, ok, ... } back.
import { load } from '../src/index.mjs';

const ready = load();

/** Every source packet of every block and `repair` of its K in repair packets. */
function encode(rq, data, symbolSize, repair) {
  const oti = rq.otiWithDefaults(data.length, symbolSize);
  const encoder = rq.objectEncoder(oti, data);
  const packets = [];
  const repairFlags = [];
  try {
    for (let sbn = 0; sbn < oti.sourceBlocks; sbn++) {
      const k = rq.blockLayout(oti, sbn).sourceSymbols;
      const total = k + Math.ceil(k * repair);
      for (let esi = 0; esi < total; esi++) {
        packets.push(encoder.packet(sbn, esi));
        repairFlags.push(esi >= k);
      }
    }
  } finally {
    encoder.free();
  }
  return { oti, packets, repairFlags };
}

function decode(rq, oti, packets) {
  const decoder = rq.objectDecoder(oti);
  try {
    for (const p of packets) {
      decoder.add(new Uint8Array(p));
      if (decoder.complete()) break;
    }
    return decoder.complete() ? decoder.data() : null;
  } finally {
    decoder.free();
  }
}

self.onmessage = async ({ data: msg }) => {
  try {
    const rq = await ready;
    const start = performance.now();
    if (msg.type === 'encode') {
      const { oti, packets, repairFlags } = encode(rq, new Uint8Array(msg.data), msg.symbolSize, msg.repair);
      const seconds = (performance.now() - start) / 1000;
      const buffers = packets.map((p) => p.buffer);
      self.postMessage({ id: msg.id, ok: true, oti, packets: buffers, repairFlags, seconds, backend: rq.backend },
        buffers);
    } else if (msg.type === 'decode') {
      const out = decode(rq, msg.oti, msg.packets);
      const seconds = (performance.now() - start) / 1000;
      self.postMessage({ id: msg.id, ok: true, data: out && out.buffer, seconds }, out ? [out.buffer] : []);
    } else {
      throw new TypeError(`unknown request ${msg.type}`);
    }
  } catch (e) {
    self.postMessage({ id: msg.id, ok: false, error: `${e.name}: ${e.message}` });
  }
};
