// The demo page, on librq-wasm's own API: startWorker runs the codec in a Web
// Worker; encodeToStore streams the picked file into a MemoryStore or an
// OpfsStore; the loss is a view of that store that hides the lost symbols;
// decodeFromStore hands the file back a block at a time, and each block is
// compared with the same bytes of the file.
import { MemoryStore, OpfsStore, startWorker } from '../src/index.mjs';

const $ = (id) => document.getElementById(id);
const SHOWN_SYMBOLS = 2000;
let worker = null;
let encoded = null; // { file, store, oti, sourceSymbols, names }

function setStatus(state, text, error = false) {
  $('status').dataset.state = state;
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

function mbPerSecond(bytes, ms) {
  return ms > 0 ? (bytes / 1e3 / ms).toFixed(1) : '∞';
}

/** A store that answers as `store` does, less the names in `lost`. */
function withLoss(store, lost) {
  return {
    put: () => Promise.reject(new Error('read only')),
    get: (names) => store.get(names).then((got) => got.map((bytes, i) => (lost.has(names[i]) ? null : bytes))),
    list: async (dir) => (await store.list(dir)).filter((n) => !lost.has(`${dir}/${n}`)),
  };
}

/** A random choice of `fraction` of each block's symbol names. */
function pickLost(names, fraction) {
  const byBlock = new Map();
  for (const name of names) {
    const sbn = name.split('/')[1];
    if (!byBlock.has(sbn)) byBlock.set(sbn, []);
    byBlock.get(sbn).push(name);
  }
  const lost = new Set();
  for (const block of byBlock.values()) {
    for (let i = block.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [block[i], block[j]] = [block[j], block[i]];
    }
    for (const name of block.slice(0, Math.round(block.length * fraction))) lost.add(name);
  }
  return lost;
}

async function openStore(kind) {
  if (kind === 'memory') return new MemoryStore();
  const root = await navigator.storage.getDirectory();
  await root.removeEntry('librq-demo', { recursive: true }).catch(() => {});
  return OpfsStore.open('librq-demo');
}

function drawSymbols(lost) {
  const box = $('symbols');
  box.replaceChildren();
  for (const name of encoded.names.slice(0, SHOWN_SYMBOLS)) {
    const [, sbn, esi] = name.split('/').map(Number);
    const span = document.createElement('span');
    if (lost?.has(name)) span.className = 'lost';
    else if (esi >= encoded.sourceSymbols[sbn]) span.className = 'repair';
    box.append(span);
  }
}

async function encodeFile() {
  const file = $('file').files[0];
  setStatus('encoding', `Encoding ${file.name}…`);
  const store = await openStore($('storage').value);
  const started = performance.now();
  const result = await worker.encodeToStore(file, store, {
    symbolSize: Number($('symbol-size').value), repair: Number($('repair').value) / 100,
    maxBlockBytes: Number($('block-mib').value) << 20,
    onProgress: ({ bytesDone, totalBytes }) => { $('progress').value = bytesDone / totalBytes; },
  });
  const ms = performance.now() - started;
  const repair = Number($('repair').value) / 100;
  const names = result.sourceSymbols.flatMap((k, sbn) =>
    Array.from({ length: k + Math.ceil(k * repair) }, (_, esi) => `blocks/${sbn}/${esi}`));
  encoded = { file, store, oti: result.oti, sourceSymbols: result.sourceSymbols, names };
  $('encode-result').textContent = `${result.packets} symbols of ${result.oti.symbolSize} bytes ` +
    `(${result.blocks} source block(s)) in ${$('storage').value} in ${ms.toFixed(0)} ms, ` +
    `${mbPerSecond(file.size, ms)} MB/s on ${worker.backend}`;
  $('encode-result').dataset.symbols = String(result.packets);
  drawSymbols(null);
  $('decode').disabled = false;
  setStatus('encoded', 'Encoded. Choose how much to lose and decode.');
}

/** Compares a decoded block with the same bytes of the file. */
async function sameAsFile(file, bytes, offset) {
  const original = new Uint8Array(await file.slice(offset, offset + bytes.length).arrayBuffer());
  return original.length === bytes.length && original.every((v, i) => v === bytes[i]);
}

async function decodeRest() {
  const lost = pickLost(encoded.names, Number($('loss').value) / 100);
  drawSymbols(lost);
  setStatus('decoding', `Decoding from ${encoded.names.length - lost.size} symbols…`);
  const result = $('decode-result');
  result.dataset.lost = String(lost.size);
  let match = true;
  let rebuilt = 0;
  const started = performance.now();
  try {
    await worker.decodeFromStore(withLoss(encoded.store, lost), {
      onData: async (bytes, offset) => {
        match &&= await sameAsFile(encoded.file, bytes, offset);
        rebuilt += bytes.length;
      },
    });
  } catch (e) {
    if (e.status !== 'RQ_ERR_NEED_MORE_SYMBOLS') throw e;
    result.dataset.match = 'false';
    result.textContent = `${lost.size} symbols lost: ${e.message}`;
    setStatus('undecodable', 'Not enough symbols left: lose fewer or add more repair.');
    return;
  }
  const ms = performance.now() - started;
  match &&= rebuilt === encoded.file.size;
  result.dataset.match = String(match);
  result.textContent = `${lost.size} of ${encoded.names.length} symbols lost; rebuilt ${rebuilt} bytes in ` +
    `${ms.toFixed(0)} ms (${mbPerSecond(rebuilt, ms)} MB/s): ` + (match ? 'the bytes match the file.' : 'THE BYTES DIFFER.');
  setStatus('decoded', match ? 'Decoded: identical to the original.' : 'Decoded, but different!', !match);
}

function guard(fn) {
  return () => fn().catch((e) => setStatus('error', String(e.message ?? e), true));
}

$('file').addEventListener('change', () => { $('encode').disabled = !$('file').files.length || !worker; });
$('encode').addEventListener('click', guard(encodeFile));
$('decode').addEventListener('click', guard(decodeRest));
$('loss').addEventListener('input', () => { $('loss-value').textContent = $('loss').value; });
if (!navigator.storage?.getDirectory) $('storage').querySelector('[value=opfs]').disabled = true;
startWorker().then((w) => {
  worker = w;
  $('encode').disabled = !$('file').files.length;
  setStatus('ready', 'Ready: pick a file.');
}, (e) => setStatus('error', `librq did not load: ${e.message}`, true));
