// Where encodeToStore puts symbols and decodeFromStore finds them. A store
// is anything with three batch methods over slash-separated names:
//   put(entries: [name, Uint8Array][])   writes each, whole or not at all
//   get(names: string[])                 the bytes of each, or null if absent
//   list(dir: string)                    the names directly inside dir
// Batches keep a store behind a worker's message channel to one round trip
// per block. MemoryStore keeps them in a Map, FolderStore in a folder (Node),
// OpfsStore in the browser's origin private file system.

function splitName(name) {
  if (typeof name !== 'string' || name === '' || name.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new RangeError(`a store name is slash-separated parts, none empty, '.' or '..': ${JSON.stringify(name)}`);
  }
  return name.split('/');
}

/** The names directly inside dir of a list of full names. */
function childrenOf(names, dir) {
  const prefix = dir === '' ? '' : `${dir}/`;
  const out = new Set();
  for (const name of names) {
    if (name.startsWith(prefix)) out.add(name.slice(prefix.length).split('/')[0]);
  }
  return [...out];
}

/** Symbols in memory: what a page keeps for a session, or a test. */
export class MemoryStore {
  constructor() {
    this.files = new Map();
  }

  async put(entries) {
    for (const [name] of entries) splitName(name);
    for (const [name, bytes] of entries) this.files.set(name, bytes.slice());
  }

  async get(names) {
    return names.map((name) => this.files.get(name)?.slice() ?? null);
  }

  async list(dir) {
    return childrenOf(this.files.keys(), dir);
  }

  /** Removes names (absent ones are ignored): how a test or a page simulates loss. */
  async remove(names) {
    for (const name of names) this.files.delete(name);
  }
}

/**
 * Symbols in a folder (Node only). Each file is written to a temporary name
 * beside its final one and renamed, so a name never holds part of a file.
 */
export class FolderStore {
  constructor(root) {
    if (typeof root !== 'string' || root === '') throw new TypeError('FolderStore needs a folder path');
    this.root = root;
    this.folders = new Set();
  }

  async #fs() {
    this.modules ??= Promise.all([import('node:fs/promises'), import('node:path')]);
    const [fs, path] = await this.modules;
    return { fs, path };
  }

  async put(entries) {
    const { fs, path } = await this.#fs();
    for (const [name] of entries) splitName(name);
    for (const [name, bytes] of entries) {
      const final = path.join(this.root, ...splitName(name));
      const folder = path.dirname(final);
      if (!this.folders.has(folder)) await fs.mkdir(folder, { recursive: true });
      this.folders.add(folder);
      const temp = `${final}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      try {
        await fs.writeFile(temp, bytes, { flag: 'wx' });
        await fs.rename(temp, final);
      } catch (e) {
        await fs.rm(temp, { force: true });
        throw e;
      }
    }
  }

  async get(names) {
    const { fs, path } = await this.#fs();
    return Promise.all(names.map(async (name) => {
      try {
        return new Uint8Array(await fs.readFile(path.join(this.root, ...splitName(name))));
      } catch (e) {
        if (e.code === 'ENOENT' || e.code === 'EISDIR') return null;
        throw e;
      }
    }));
  }

  async list(dir) {
    const { fs, path } = await this.#fs();
    try {
      const entries = await fs.readdir(dir === '' ? this.root : path.join(this.root, ...splitName(dir)));
      return entries.filter((n) => !n.endsWith('.tmp'));
    } catch (e) {
      if (e.code === 'ENOENT') return [];
      throw e;
    }
  }

  async remove(names) {
    const { fs, path } = await this.#fs();
    for (const name of names) await fs.rm(path.join(this.root, ...splitName(name)), { force: true });
  }
}

/**
 * Symbols in the origin private file system (browsers, main thread or
 * worker). A file written with createWritable appears under its name only
 * when closed, so a name never holds part of a file.
 */
export class OpfsStore {
  /** The store in folder `path` of this origin's OPFS (made if absent). */
  static async open(path = 'librq') {
    if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory) {
      throw new Error('this engine has no origin private file system (navigator.storage.getDirectory)');
    }
    let dir = await navigator.storage.getDirectory();
    for (const part of splitName(path)) dir = await dir.getDirectoryHandle(part, { create: true });
    return new OpfsStore(dir);
  }

  constructor(directoryHandle) {
    this.root = directoryHandle;
    this.folders = new Map();
  }

  /** The handle of folder parts, or null where it is absent and create is false. */
  async #folder(parts, create) {
    const key = parts.join('/');
    if (this.folders.has(key)) return this.folders.get(key);
    let dir = this.root;
    try {
      for (const part of parts) dir = await dir.getDirectoryHandle(part, { create });
    } catch (e) {
      if (e.name === 'NotFoundError' || e.name === 'TypeMismatchError') return null;
      throw e;
    }
    this.folders.set(key, dir);
    return dir;
  }

  /** Writes the entries side by side: OPFS takes milliseconds a file, most of it waiting. */
  async put(entries) {
    for (const [name] of entries) splitName(name);
    await Promise.all(entries.map(async ([name, bytes]) => {
      const parts = splitName(name);
      const dir = await this.#folder(parts.slice(0, -1), true);
      const file = await dir.getFileHandle(parts.at(-1), { create: true });
      const writable = await file.createWritable();
      try {
        await writable.write(bytes);
        await writable.close();
      } catch (e) {
        await writable.abort().catch(() => {});
        throw e;
      }
    }));
  }

  async get(names) {
    return Promise.all(names.map(async (name) => {
      const parts = splitName(name);
      const dir = await this.#folder(parts.slice(0, -1), false);
      if (!dir) return null;
      try {
        const file = await (await dir.getFileHandle(parts.at(-1))).getFile();
        return new Uint8Array(await file.arrayBuffer());
      } catch (e) {
        if (e.name === 'NotFoundError' || e.name === 'TypeMismatchError') return null;
        throw e;
      }
    }));
  }

  async list(dir) {
    const handle = await this.#folder(dir === '' ? [] : splitName(dir), false);
    if (!handle) return [];
    const names = [];
    for await (const name of handle.keys()) names.push(name);
    return names;
  }

  async remove(names) {
    for (const name of names) {
      const parts = splitName(name);
      const dir = await this.#folder(parts.slice(0, -1), false);
      await dir?.removeEntry(parts.at(-1)).catch((e) => {
        if (e.name !== 'NotFoundError') throw e;
      });
    }
  }
}
