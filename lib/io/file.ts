// Positioned reads and all-or-nothing writes, shared by every format in quantkit/io.
//
// Reading: `ReadableFile` wraps one descriptor and reads exact byte ranges (a short read is
// an error naming the file: the file changed or is truncated). Nothing is read that was not
// asked for, so a reader holds at most one tensor range in memory.
//
// Writing: `writeAtomically(out, inputs, fill)` writes into a temporary file next to OUT and
// renames it over OUT only when `fill` resolves. A thrown error, a full disk or SIGINT/SIGTERM
// removes the temporary file, so no partial OUT is ever left; OUT equal to an input (same path,
// or same device and inode through a link) is refused before anything is opened. A symbolic
// link OUT is written through (its target is replaced, the link kept); an OUT that is not a
// regular file (/dev/null, a folder, a FIFO, a socket), or that this process may not write, is
// refused; an existing OUT keeps its permission bits (keepMode); the OS's errors name OUT, not
// the temporary file.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** A file opened for positioned reads. */
export class ReadableFile {
  private constructor(readonly path: string, private readonly handle: fsp.FileHandle, readonly size: number) {}

  /** Opens `file` for reading. @throws Error naming the path when it cannot be opened or is not a regular file. */
  static async open(file: string): Promise<ReadableFile> {
    if (typeof file !== 'string' || file.length === 0) throw new TypeError(`Expected a file path (non-empty string) but received ${String(file)}`);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(file, 'r');
    } catch (e) {
      throw new Error(`Cannot open ${file}: ${(e as Error).message}`);
    }
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      throw new Error(`Cannot read ${file}: not a regular file`);
    }
    return new ReadableFile(file, handle, st.size);
  }

  /**
   * Exactly `length` bytes at `offset`, into `into` when given (its length must be `length`).
   * @throws RangeError naming the file and `what` when the range lies past the end.
   */
  async read(offset: number, length: number, what = 'data', into?: Uint8Array): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new RangeError(`${this.path}: ${what} at bytes [${offset}, ${offset + length}) lies outside the file (${this.size} bytes)`);
    }
    const buf = into ?? new Uint8Array(length);
    let done = 0;
    while (done < length) {
      // One read call takes at most 2^31 − 1 bytes (Node asserts on more): 1 GiB at a time.
      const { bytesRead } = await this.handle.read(buf, done, Math.min(length - done, 2 ** 30), offset + done);
      if (bytesRead === 0) throw new RangeError(`${this.path}: ${what} at bytes [${offset}, ${offset + length}) ends early: the file was truncated while being read`);
      done += bytesRead;
    }
    return buf;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** The output side of writeAtomically: sequential writes into the temporary file. */
export interface AtomicOutput {
  /** The final path. */
  readonly path: string;
  /** Bytes written so far (the next write's offset). */
  readonly position: number;
  /** Appends `bytes` (all of them: short writes are retried). */
  write(bytes: Uint8Array): Promise<void>;
  /** Writes `bytes` at `offset` (below position) without moving position: for headers patched at the end. */
  writeAt(bytes: Uint8Array, offset: number): Promise<void>;
}

const liveTemps = new Set<string>();
let signalsHooked = false;

function removeTempsSync(): void {
  for (const t of liveTemps) {
    try {
      fs.unlinkSync(t);
    } catch {
      /* already gone */
    }
  }
  liveTemps.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeTempsSync();
  // Let the default action (or the application's other handlers) take over.
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  signalsHooked = false;
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function unhookSignalsIfIdle(): void {
  if (liveTemps.size > 0 || !signalsHooked) return;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  signalsHooked = false;
}

process.on('exit', removeTempsSync);

/**
 * Registers a temporary file of a write in progress: it is removed on process exit and on
 * SIGINT/SIGTERM until the returned function is called (after it was renamed into place or
 * removed). For writers of several files at once (tfjs shards); writeAtomically uses it too.
 */
export function trackTemp(temp: string): () => void {
  liveTemps.add(temp);
  hookSignals();
  return () => {
    liveTemps.delete(temp);
    unhookSignalsIfIdle();
  };
}

/**
 * @throws Error when `out` is one of `inputs` (same resolved path, or same device and inode).
 */
export function checkNotAnInput(out: string, inputs: readonly string[]): void {
  const outAbs = path.resolve(out);
  let outStat: fs.Stats | undefined;
  try {
    outStat = fs.statSync(outAbs);
  } catch {
    outStat = undefined;
  }
  for (const input of inputs) {
    const inAbs = path.resolve(input);
    let same = inAbs === outAbs;
    if (!same && outStat) {
      try {
        const s = fs.statSync(inAbs);
        same = s.dev === outStat.dev && s.ino === outStat.ino;
      } catch {
        /* a missing input is reported by its reader */
      }
    }
    if (same) throw new Error(`Refusing to write ${out}: it is the input ${input} (write to another path, then rename)`);
  }
}

/** What a file system entry that is not a regular file is, for messages. */
function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Links followed before giving up, as Linux's MAXSYMLINKS. */
const MAX_LINKS = 40;

/**
 * The path a write to `out` lands on: `out` itself, or, when `out` is a symbolic link, the end
 * of its chain of links (which need not exist yet: writing through a dangling link creates its
 * target, as a shell's `>` does). Absolute.
 * @throws Error naming `out` for a loop of links.
 */
export function resolveOutput(out: string): string {
  let p = path.resolve(out);
  for (let i = 0; i < MAX_LINKS; i++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return p;
    }
    if (!st.isSymbolicLink()) return p;
    p = path.resolve(path.dirname(p), fs.readlinkSync(p));
  }
  throw new Error(`Cannot write ${out}: more than ${MAX_LINKS} symbolic links to follow (a loop?)`);
}

/**
 * An OS error met while writing `out` (opening, writing, syncing or renaming its temporary file),
 * as `Cannot write OUT: CODE reason (while …)`: OUT named, the temporary file not, and the
 * original as `cause`. Errors without an OS code (a writer's own checks) are returned unchanged.
 */
export function writeError(out: string, e: unknown, during: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return e;
  // Node's text is 'CODE: reason, syscall 'path' [-> 'path']': keep the reason only.
  const reason = String((e as Error).message).replace(/^E[A-Z0-9]+: /, '').replace(/, [a-z]+ '.*$/s, '');
  return new Error(`Cannot write ${out}: ${code} ${reason} (while ${during})`, { cause: e });
}

/**
 * Checks that `out` may be written and returns the file to replace (see resolveOutput).
 * @throws Error naming `out` when it is an input (checkNotAnInput), exists and is not a regular
 *   file, is not writable by this process, or its folder does not exist.
 */
export function checkOutput(out: string, inputs: readonly string[]): string {
  if (typeof out !== 'string' || out.length === 0) throw new TypeError(`Expected an output path (non-empty string) but received ${String(out)}`);
  checkNotAnInput(out, inputs);
  const target = resolveOutput(out);
  const via = target === path.resolve(out) ? '' : ` (a link to ${target})`;
  if (via !== '') checkNotAnInput(target, inputs);
  const st = fs.statSync(target, { throwIfNoEntry: false });
  if (st !== undefined) {
    // Renaming over /dev/null as root would replace the device with a regular file.
    if (!st.isFile()) throw new Error(`Refusing to write ${out}${via}: it is ${kindOf(st)}`);
    try {
      fs.accessSync(target, fs.constants.W_OK);
    } catch (e) {
      throw new Error(`Refusing to write ${out}${via}: it is not writable by this process (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
    }
  }
  const dir = path.dirname(target);
  const dirStat = fs.statSync(dir, { throwIfNoEntry: false });
  if (dirStat === undefined || !dirStat.isDirectory()) throw new Error(`Cannot write ${out}: its folder ${dir} does not exist or is not a folder`);
  return target;
}

/**
 * Gives the temporary file `temp` the permission bits of `target` when `target` exists, so that
 * a rename over an existing OUT does not reset its mode (a 0600 file stays 0600, as it would
 * after `>` in a shell); a new OUT keeps the temporary file's mode (0666 less the umask). Only
 * the permission bits are copied: set-user-ID, set-group-ID and sticky are left off, as the
 * kernel clears them when a file is rewritten. The owner is not copied (only root could).
 * @throws Error naming `out` (writeError) when chmod fails.
 */
export async function keepMode(temp: string, target: string, out: string): Promise<void> {
  let st: fs.Stats | undefined;
  try {
    st = await fsp.stat(target);
  } catch {
    return;
  }
  if (!st.isFile()) return;
  try {
    await fsp.chmod(temp, st.mode & 0o777);
  } catch (e) {
    throw writeError(out, e, 'giving the temporary file the mode of the existing file');
  }
}

/**
 * Runs `fill` with an output that writes a temporary file in OUT's folder, then renames it to
 * `out`. On any error (from `fill`, the disk, or a signal) the temporary file is removed and
 * OUT is left as it was; the error is rethrown.
 *
 * OUT, when it exists, must be a regular file this process may write; a symbolic link is
 * followed: the temporary file goes in the target's folder and replaces the target, so the link
 * stays. An existing OUT's permission bits are kept (keepMode). OS errors (EACCES, ENOSPC, EROFS, …) are rethrown as `Error: Cannot write OUT: CODE
 * reason (while …)` with the original as `cause`.
 * @param inputs paths `out` must not be (see checkNotAnInput); checked on OUT and on its target.
 */
export async function writeAtomically<T>(out: string, inputs: readonly string[], fill: (o: AtomicOutput) => Promise<T>): Promise<T> {
  const target = checkOutput(out, inputs);
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // Created synchronously and tracked at once: an asynchronous create runs on libuv's thread
  // pool and could complete after a signal's cleanup had already run, leaving the file behind.
  let handle: fsp.FileHandle;
  const untrack = trackTemp(temp);
  try {
    fs.closeSync(fs.openSync(temp, 'wx'));
    handle = await fsp.open(temp, 'r+');
  } catch (e) {
    untrack();
    await fsp.unlink(temp).catch(() => undefined);
    throw writeError(out, e, `creating a temporary file in ${dir}`);
  }
  let position = 0;
  const writeFully = async (bytes: Uint8Array, at: number): Promise<void> => {
    let done = 0;
    try {
      while (done < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, done, Math.min(bytes.length - done, 2 ** 30), at + done); // at most 1 GiB a call (Node asserts past 2^31 − 1)
        done += bytesWritten;
      }
    } catch (e) {
      throw writeError(out, e, 'writing');
    }
  };
  const output: AtomicOutput = {
    path: out,
    get position() {
      return position;
    },
    async write(bytes: Uint8Array) {
      await writeFully(bytes, position);
      position += bytes.length;
    },
    async writeAt(bytes: Uint8Array, offset: number) {
      if (!Number.isSafeInteger(offset) || offset < 0 || offset + bytes.length > position) {
        throw new RangeError(`writeAt: bytes [${offset}, ${offset + bytes.length}) are not inside what was written (${position} bytes)`);
      }
      await writeFully(bytes, offset);
    },
  };
  try {
    const result = await fill(output);
    try {
      await handle.sync();
      await handle.close();
    } catch (e) {
      throw writeError(out, e, 'flushing it to disk');
    }
    await keepMode(temp, target, out);
    // Synchronous, and untracked in the same step: a signal's cleanup runs either before the
    // rename (the temporary file is removed, OUT is as it was) or after it (OUT is complete).
    try {
      fs.renameSync(temp, target);
    } catch (e) {
      throw writeError(out, e, 'renaming the temporary file into place');
    }
    untrack();
    return result;
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fsp.unlink(temp).catch(() => undefined);
    untrack();
    throw e;
  }
}
