// startWorker: the streaming and store codecs run in a Web Worker (browsers)
// or a worker thread (Node), so coding never blocks the calling thread.
// The calling thread keeps what is its own: it reads the source, iterates
// the packets, runs the store's methods and the callbacks, each when the
// worker asks, so a source is read no faster than it is coded and a slow
// callback slows the worker down (memory stays at about a block).
import { errorFromMessage } from './errors.mjs';

const CHUNK_BYTES = 1 << 20;
const PACKETS_PER_PULL = 256;

/** The calling side of the channel: a browser Worker or a node:worker_threads Worker. */
async function spawn() {
  const url = new URL('./worker_entry.mjs', import.meta.url);
  const node = typeof process !== 'undefined' && Boolean(process.versions?.node);
  if (!node) {
    if (typeof Worker === 'undefined') throw new Error('startWorker needs Web Workers (or Node\'s worker_threads)');
    const w = new Worker(url, { type: 'module' });
    const channel = handlersOf({
      send: (m, t = []) => w.postMessage(m, t), hold() {}, release() {}, terminate: () => w.terminate(),
    });
    w.onmessage = (e) => channel.onMessage(e.data);
    w.onerror = (e) => { e.preventDefault?.(); channel.onError(new Error(`the worker failed: ${e.message}`)); };
    return channel;
  }
  const { Worker: NodeWorker } = await import('node:worker_threads');
  const w = new NodeWorker(url);
  const channel = handlersOf({
    send: (m, t = []) => w.postMessage(m, t),
    // An idle worker does not keep Node running; one with work does.
    hold: () => w.ref(), release: () => w.unref(),
    terminate: () => w.terminate(),
  });
  w.on('message', (m) => channel.onMessage(m));
  w.on('error', (e) => channel.onError(e));
  w.on('exit', (code) => channel.onError(new Error(`the worker exited (code ${code})`)));
  return channel;
}

/** Adds listen(onMessage, onError), which sets who hears the worker from now on. */
function handlersOf(channel) {
  channel.onMessage = () => {};
  channel.onError = () => {};
  channel.listen = (onMessage, onError) => {
    channel.onMessage = onMessage;
    channel.onError = onError;
  };
  return channel;
}

/**
 * Pulls a source a chunk at a time, the way the worker's ByteReader takes
 * it, with the next chunk read while the worker codes this one.
 */
function chunkSource(source) {
  const reader = chunkReader(source);
  let ahead = null;
  return { ...reader, pull: () => {
    const next = ahead ?? reader.pull();
    ahead = next.then((bytes) => (bytes ? reader.pull() : null));
    ahead.catch(() => {});
    return next;
  } };
}

function chunkReader(source) {
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    let at = 0;
    return { size: source.size, pull: async () => {
      if (at >= source.size) return null;
      const piece = source.slice(at, at += CHUNK_BYTES);
      return new Uint8Array(await piece.arrayBuffer());
    }, fresh: true, close: async () => {} };
  }
  if (source instanceof Uint8Array) {
    let at = 0;
    return { size: source.length, pull: async () => (at >= source.length ? null : source.slice(at, at += CHUNK_BYTES)),
      fresh: true, close: async () => {} };
  }
  const it = typeof source?.getReader === 'function' ? readerIterator(source.getReader())
    : typeof source?.[Symbol.asyncIterator] === 'function' ? source[Symbol.asyncIterator]() : null;
  if (!it) throw new TypeError('source must be a Blob, a Uint8Array, a ReadableStream or an async iterable of Uint8Array');
  return { size: undefined, pull: async () => {
    const { value, done } = await it.next();
    return done ? null : value;
  }, close: async () => { await it.return?.(); } };
}

function readerIterator(reader) {
  return { next: () => reader.read(), return: () => reader.cancel() };
}

/** Takes packets from an iterable or async iterable, a batch per pull. */
function packetSource(packets) {
  const it = packets?.[Symbol.asyncIterator]?.() ?? packets?.[Symbol.iterator]?.();
  if (!it) throw new TypeError('packets must be an iterable or async iterable of Uint8Array');
  return { pull: async () => {
    const batch = [];
    while (batch.length < PACKETS_PER_PULL) {
      const { value, done } = await it.next();
      if (done) break;
      batch.push(value);
    }
    return batch.length ? batch : null;
  }, close: async () => { await it.return?.(); } };
}

function requireFunction(options, name) {
  if (typeof options[name] !== 'function') throw new TypeError(`options.${name} must be a function`);
}

/** Settings that cross to the worker: every option but the callbacks and the signal. */
function settingsOf(options) {
  const { onPacket, onData, onProgress, signal, ...settings } = options;
  return settings;
}

/** A loaded module in a worker; its methods are Librq's streaming and store codecs. */
export class RqWorker {
  constructor(channel, ready) {
    this.channel = channel;
    this.flavour = ready.flavour;
    this.backend = ready.backend;
    this.version = ready.version;
    this.jobs = new Map();
    this.nextJob = 0;
    this.failure = null;
    channel.listen((m) => this.#receive(m), (e) => this.#fail(e));
    channel.release();
  }

  /** encodeStream in the worker: the same options and result as Librq.encodeStream. */
  async encodeStream(source, options = {}) {
    requireFunction(options, 'onPacket');
    return this.#run('encodeStream', options, { source: chunkSource(source) }, { oti: undefined });
  }

  async decodeStream(oti, packets, options = {}) {
    requireFunction(options, 'onData');
    return this.#run('decodeStream', options, { packets: packetSource(packets) }, { oti });
  }

  async encodeToStore(source, store, options = {}) {
    return this.#run('encodeToStore', options, { source: chunkSource(source), store });
  }

  async decodeFromStore(store, options = {}) {
    requireFunction(options, 'onData');
    return this.#run('decodeFromStore', options, { store });
  }

  /** Stops the worker; jobs still running reject. */
  async terminate() {
    this.#fail(new Error('the worker was terminated'));
    await this.channel.terminate();
  }

  #run(op, options, parts, extra = {}) {
    if (this.failure) return Promise.reject(this.failure);
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const id = this.nextJob++;
    const settings = settingsOf(options);
    if (parts.source?.size !== undefined && settings.size === undefined) settings.size = parts.source.size;
    return new Promise((resolve, reject) => {
      const job = { ...parts, options, resolve, reject, callbackError: null };
      this.jobs.set(id, job);
      if (this.jobs.size === 1) this.channel.hold();
      // An abort rejects at once; the worker is told to stop, and what it still asks is refused.
      job.onAbort = () => {
        this.channel.send({ type: 'abort', job: id });
        this.#finish(id, job, options.signal.reason);
      };
      options.signal?.addEventListener('abort', job.onAbort, { once: true });
      this.channel.send({ type: 'start', job: id, op,
        args: { ...extra, settings, progress: typeof options.onProgress === 'function' } });
    });
  }

  #receive(m) {
    const job = this.jobs.get(m.job);
    if (!job) {
      if (m.type === 'call') this.channel.send({ type: 'reply', call: m.call, error: { name: 'AbortError', message: 'the job ended' } });
      return;
    }
    if (m.type === 'call') this.#answer(m, job);
    else if (m.type === 'progress') job.options.onProgress(m.progress);
    else if (m.type === 'done') this.#finish(m.job, job, null, m.value);
    else if (m.type === 'failed') this.#finish(m.job, job, job.callbackError ?? errorFromMessage(m.error));
  }

  async #answer(m, job) {
    try {
      const [value, transfer] = await this.#serve(job, m.method, m.args);
      this.channel.send({ type: 'reply', call: m.call, value }, transfer);
    } catch (e) {
      job.callbackError ??= e;
      this.channel.send({ type: 'reply', call: m.call, error: { name: e?.name ?? 'Error', message: String(e?.message ?? e) } });
    }
  }

  /** Runs what the worker asked for on the calling thread: [reply, buffers to transfer]. */
  async #serve(job, method, args) {
    switch (method) {
      case 'pull': {
        const bytes = await job.source.pull();
        // Chunks this side copied out of a Blob or array move; a stream's are the caller's and are copied.
        return [bytes, bytes && job.source.fresh ? [bytes.buffer] : []];
      }
      case 'packets-in': return [await job.packets.pull(), []];
      case 'packets-out':
        for (const [at, length, sbn, esi] of args.where) {
          if (job.finished) break;
          await job.options.onPacket(new Uint8Array(args.packed.buffer, at, length), { sbn, esi });
        }
        return [undefined, []];
      case 'data': await job.options.onData(args[0], args[1]); return [undefined, []];
      case 'store-put': await job.store.put(args); return [undefined, []];
      case 'store-get': return [await job.store.get(args), []];
      case 'store-list': return [await job.store.list(args), []];
      default: throw new TypeError(`the worker asked for ${method}`);
    }
  }

  #finish(id, job, error, value) {
    if (job.finished) return;
    job.finished = true;
    this.jobs.delete(id);
    if (!this.jobs.size) this.channel.release();
    job.options.signal?.removeEventListener('abort', job.onAbort);
    const closing = [job.source?.close(), job.packets?.close()];
    Promise.all(closing).catch(() => {}).then(() => (error ? job.reject(error) : job.resolve(value)));
  }

  #fail(error) {
    this.failure ??= error;
    for (const [id, job] of [...this.jobs]) this.#finish(id, job, error);
  }
}

/** Starts a worker and loads the module in it (options.flavour as for load()). */
export async function startWorker(options = {}) {
  const channel = await spawn();
  const ready = await new Promise((resolve, reject) => {
    channel.listen((m) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'load-failed') reject(errorFromMessage(m.error));
    }, reject);
    channel.send({ type: 'init', flavour: options.flavour ?? 'auto' });
  });
  return new RqWorker(channel, ready);
}
