// The worker side of startWorker (src/worker.mjs): runs in a Web Worker or
// a Node worker thread, loads the module, and runs the jobs the calling
// thread sends. Everything a job touches outside (its source, its packets,
// its store, its callbacks) stays with the caller and is reached by calls
// back over the channel, batched so a block costs a few round trips.
import { errorToMessage } from './errors.mjs';
import { load } from './index.mjs';

const PACKET_BATCH_BYTES = 2 << 20;

async function channel() {
  if (typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope) {
    return { send: (m, t = []) => self.postMessage(m, t), listen: (fn) => { self.onmessage = (e) => fn(e.data); } };
  }
  const { parentPort } = await import('node:worker_threads');
  return { send: (m, t = []) => parentPort.postMessage(m, t), listen: (fn) => parentPort.on('message', fn) };
}

const port = await channel();
const jobs = new Map();
let nextCall = 0;
const calls = new Map();
let rq = null;

/** Asks the calling thread to run method for job; resolves to its reply. */
function call(job, method, args, transfer = []) {
  const id = nextCall++;
  return new Promise((resolve, reject) => {
    calls.set(id, { resolve, reject });
    port.send({ type: 'call', job, call: id, method, args }, transfer);
  });
}

function remoteSource(job) {
  return {
    [Symbol.asyncIterator]() {
      return {
        next: async () => {
          const bytes = await call(job, 'pull');
          return bytes ? { value: bytes, done: false } : { value: undefined, done: true };
        },
      };
    },
  };
}

function remotePackets(job) {
  return (async function* packets() {
    for (;;) {
      const batch = await call(job, 'packets-in');
      if (!batch) return;
      yield* batch;
    }
  })();
}

/**
 * onPacket for the worker's encodeStream: packets go to the caller packed in
 * one buffer per batch, one batch in flight while the next is coded.
 */
function remotePacketSink(job) {
  let batch = [];
  let bytes = 0;
  let inFlight = Promise.resolve();
  const send = async () => {
    const packed = new Uint8Array(bytes);
    const where = [];
    let at = 0;
    for (const [packet, sbn, esi] of batch) {
      packed.set(packet, at);
      where.push([at, packet.length, sbn, esi]);
      at += packet.length;
    }
    batch = [];
    bytes = 0;
    await inFlight;
    inFlight = call(job, 'packets-out', { packed, where }, [packed.buffer]);
    inFlight.catch(() => {}); // its failure is met at the next await of inFlight

  };
  return { onPacket: (packet, { sbn, esi }) => {
    batch.push([packet, sbn, esi]);
    bytes += packet.length;
    return bytes >= PACKET_BATCH_BYTES ? send() : undefined;
  }, flush: async () => {
    if (batch.length) await send();
    await inFlight;
  } };
}

function remoteStore(job) {
  return {
    put: (entries) => call(job, 'store-put', entries),
    get: (names) => call(job, 'store-get', names),
    list: (dir) => call(job, 'store-list', dir),
  };
}

function callbacks(job, options, signal) {
  const onData = (bytes, offset) => call(job, 'data', [bytes, offset], [bytes.buffer]);
  const onProgress = options.progress ? (p) => port.send({ type: 'progress', job, progress: p }) : undefined;
  return { ...options.settings, onData, onProgress, signal };
}

async function runJob(job, op, args, signal) {
  const options = callbacks(job, args, signal);
  switch (op) {
    case 'encodeStream': {
      const sink = remotePacketSink(job);
      const result = await rq.encodeStream(remoteSource(job), { ...options, onPacket: sink.onPacket });
      await sink.flush();
      return result;
    }
    case 'decodeStream':
      return rq.decodeStream(args.oti, remotePackets(job), options);
    case 'encodeToStore':
      return rq.encodeToStore(remoteSource(job), remoteStore(job), options);
    case 'decodeFromStore':
      return rq.decodeFromStore(remoteStore(job), options);
    default:
      throw new TypeError(`unknown worker job ${op}`);
  }
}

async function start({ job, op, args }) {
  const controller = new AbortController();
  jobs.set(job, controller);
  try {
    const value = await runJob(job, op, args, controller.signal);
    port.send({ type: 'done', job, value });
  } catch (e) {
    port.send({ type: 'failed', job, error: errorToMessage(e) });
  } finally {
    jobs.delete(job);
  }
}

function settle({ call: id, value, error }) {
  const pending = calls.get(id);
  calls.delete(id);
  if (error) pending.reject(Object.assign(new Error(error.message), { name: error.name }));
  else pending.resolve(value);
}

port.listen(async (m) => {
  if (m.type === 'init') {
    try {
      rq = await load({ flavour: m.flavour });
      port.send({ type: 'ready', flavour: rq.flavour, backend: rq.backend, version: rq.version });
    } catch (e) {
      port.send({ type: 'load-failed', error: errorToMessage(e) });
    }
  } else if (m.type === 'start') {
    start(m);
  } else if (m.type === 'reply') {
    settle(m);
  } else if (m.type === 'abort') {
    jobs.get(m.job)?.abort(new DOMException('the job was aborted', 'AbortError'));
  }
});
