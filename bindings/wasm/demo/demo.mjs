// The demo page: the file is read once, the worker (worker.mjs) encodes it
// and decodes what is left after the chosen loss; the page only draws.
const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
let nextId = 0;
const pending = new Map();
worker.onmessage = ({ data }) => {
  const { resolve, reject } = pending.get(data.id);
  pending.delete(data.id);
  data.ok ? resolve(data) : reject(new Error(data.error));
};
function ask(request, transfer = []) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...request, id }, transfer);
  });
}

let original = null;
let encoded = null;

function setStatus(state, text, error = false) {
  $('status').dataset.state = state;
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

function mbPerSecond(bytes, seconds) {
  return seconds > 0 ? (bytes / 1e6 / seconds).toFixed(1) : '∞';
}

/** A random choice of `fraction` of the indexes 0..n-1. */
function lostIndexes(n, fraction) {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return new Set(order.slice(0, Math.round(n * fraction)));
}

function drawSymbols(lost) {
  const box = $('symbols');
  box.replaceChildren();
  const shown = Math.min(encoded.packets.length, 2000);
  for (let i = 0; i < shown; i++) {
    const span = document.createElement('span');
    if (lost?.has(i)) span.className = 'lost';
    else if (encoded.repairFlags[i]) span.className = 'repair';
    box.append(span);
  }
}

async function encodeFile() {
  const file = $('file').files[0];
  original = new Uint8Array(await file.arrayBuffer());
  setStatus('encoding', `Encoding ${file.name}…`);
  const reply = await ask({
    type: 'encode', data: original.slice().buffer,
    symbolSize: Number($('symbol-size').value), repair: Number($('repair').value) / 100,
  });
  encoded = { oti: reply.oti, packets: reply.packets, repairFlags: reply.repairFlags };
  $('encode-result').textContent = `${reply.packets.length} symbols of ${reply.oti.symbolSize} bytes ` +
    `(${reply.oti.sourceBlocks} source block(s)) in ${(reply.seconds * 1000).toFixed(0)} ms, ` +
    `${mbPerSecond(original.length, reply.seconds)} MB/s on ${reply.backend}`;
  $('encode-result').dataset.symbols = String(reply.packets.length);
  drawSymbols(null);
  $('decode').disabled = false;
  setStatus('encoded', 'Encoded. Choose how much to lose and decode.');
}

async function decodeRest() {
  const lost = lostIndexes(encoded.packets.length, Number($('loss').value) / 100);
  drawSymbols(lost);
  const kept = encoded.packets.filter((_, i) => !lost.has(i)).map((p) => p.slice(0));
  setStatus('decoding', `Decoding from ${kept.length} symbols…`);
  const reply = await ask({ type: 'decode', oti: encoded.oti, packets: kept });
  const result = $('decode-result');
  result.dataset.lost = String(lost.size);
  if (!reply.data) {
    result.dataset.match = 'false';
    result.textContent = `${lost.size} symbols lost: the ${kept.length} left are not enough to rebuild the file.`;
    setStatus('undecodable', 'Not enough symbols left: lose fewer or add more repair.');
    return;
  }
  const out = new Uint8Array(reply.data);
  const match = out.length === original.length && out.every((v, i) => v === original[i]);
  result.dataset.match = String(match);
  result.textContent = `${lost.size} of ${encoded.packets.length} symbols lost; rebuilt ${out.length} bytes in ` +
    `${(reply.seconds * 1000).toFixed(0)} ms (${mbPerSecond(out.length, reply.seconds)} MB/s): ` +
    (match ? 'the bytes match the file.' : 'THE BYTES DIFFER.');
  setStatus('decoded', match ? 'Decoded: identical to the original.' : 'Decoded, but different!', !match);
}

function guard(fn) {
  return () => fn().catch((e) => setStatus('error', String(e.message ?? e), true));
}

$('file').addEventListener('change', () => { $('encode').disabled = !$('file').files.length; });
$('encode').addEventListener('click', guard(encodeFile));
$('decode').addEventListener('click', guard(decodeRest));
$('loss').addEventListener('input', () => { $('loss-value').textContent = $('loss').value; });
setStatus('ready', 'Ready: pick a file.');
