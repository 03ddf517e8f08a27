// The worker side of the async twins: one synchronous quantkit call per job, on the backend the
// caller's thread runs (the pool sets QUANTKIT_BACKEND and QUANTKIT_ISA), so the bits are the
// synchronous call's. Long element-wise calls run in parts of PART_ELEMENTS, and between parts
// the job's abort flag is read: an aborted job stops within one part and says so.
//
// Memory: every array this thread touches is its own (a copy, or a buffer transferred to it) or
// lies in a SharedArrayBuffer (which cannot be detached, and which a growable one never shrinks).
// So nothing the caller does to their arrays while a job runs can free memory under a kernel.
import { parentPort, workerData } from 'node:worker_threads';
import quantkit from '../index';
import { binding } from '../core/backend';
import { OPS, PART_ELEMENTS, MARK, argArrays, decodeArg, isShared, isTyped, outputOf, plainObject, type OpName, type OpSpec, type Typed } from './ops';
import { restoreObserver } from './observer';
import { SNAPSHOT } from '../calibrate/state';

interface Job {
  id: number;
  op: OpName;
  args: unknown[];
  /** The observer's method, options and state, for op 'observe'. */
  observer?: unknown;
}

type Fn = (...args: unknown[]) => unknown;

const control = new Int32Array(workerData.control as SharedArrayBuffer);

// One thread per job (see capThreads in binding.d.ts): N jobs use N cores, and a job running
// alone leaves a core to the event loop.
binding.capThreads(1);
const ABORTED = Symbol('aborted');

function lookup(op: string): Fn {
  let f: unknown = quantkit;
  for (const part of op.split('.')) f = (f as Record<string, unknown>)[part];
  return f as Fn;
}

function aborted(id: number): boolean {
  return Atomics.load(control, 0) === id;
}

/** An element-wise call over parts; undefined when the call does not qualify (then it runs whole). */
function runSplit(spec: OpSpec, fn: Fn, args: unknown[], id: number): unknown {
  const kind = spec.split;
  const [a0, a1, a2, a3] = args;
  if (kind === 'quantize' || kind === 'dequantize' || kind === 'convert') {
    if (!isTyped(a0) || a0.length < 2 * PART_ELEMENTS) return undefined;
    if (kind !== 'convert') {
      const p = a1 as Record<string, unknown>;
      if (!plainObject(p) || 'axis' in p || 'blockSize' in p || typeof p.dtype !== 'string') return undefined;
      const info = (quantkit.dtypes as Record<string, { packed?: boolean } | undefined>)[p.dtype];
      if (info === undefined || info.packed) return undefined;
    }
    const outIndex = kind === 'convert' ? 1 : 2;
    const rest = kind === 'convert' ? [] : [a1];
    const n = a0.length;
    const empty = fn(a0.subarray(0, 0), ...rest) as Typed;
    const given = args[outIndex];
    if (given !== undefined && (!isTyped(given) || given.constructor !== empty.constructor || given.length !== n)) return undefined;
    // Straight into `out`, shared or not: these calls refuse nothing part by part (their checks
    // are of types, lengths and params, which the first part meets), and an abort stops the
    // writes before the caller hears of it (pool.ts waits for a worker writing shared memory).
    // A fresh output per job would cost an allocation and a release of its pages each time.
    const into = given !== undefined ? (given as Typed) : new (empty.constructor as new (n: number) => Typed)(n);
    for (let at = 0; at < n; at += PART_ELEMENTS) {
      if (aborted(id)) return ABORTED;
      const end = Math.min(n, at + PART_ELEMENTS);
      fn(a0.subarray(at, end), ...rest, into.subarray(at, end));
    }
    return into;
  }
  if (kind === 'ggml-quantize' || kind === 'ggml-dequantize') {
    const type = a1;
    const g = quantkit.ggml;
    let elements: number, bytes: number;
    try {
      elements = g.blockElements(type as never);
      bytes = g.blockBytes(type as never);
    } catch {
      return undefined;
    }
    const step = Math.ceil(PART_ELEMENTS / elements) * elements;
    if (kind === 'ggml-quantize') {
      if (!isTyped(a0) || a0.length < 2 * step || a0.length % elements !== 0) return undefined;
      const n = a0.length;
      const size = (n / elements) * bytes;
      if (a2 !== undefined && (!isTyped(a2) || !(a2 instanceof Uint8Array) || a2.length !== size)) return undefined;
      const into = a2 !== undefined && !isShared(a2 as Typed) ? (a2 as Typed) : new Uint8Array(size);
      for (let at = 0; at < n; at += step) {
        if (aborted(id)) return ABORTED;
        const end = Math.min(n, at + step);
        fn(a0.subarray(at, end), type, into.subarray((at / elements) * bytes, (end / elements) * bytes));
      }
      return finish(into, a2 as Typed | undefined, id);
    }
    const n = a2 as number;
    if (!isTyped(a0) || typeof n !== 'number' || !Number.isInteger(n) || n < 2 * step || n % elements !== 0 || a0.length !== (n / elements) * bytes) return undefined;
    if (a3 !== undefined && (!isTyped(a3) || !(a3 instanceof Float32Array) || a3.length !== n)) return undefined;
    const into = a3 !== undefined && !isShared(a3 as Typed) ? (a3 as Typed) : new Float32Array(n);
    for (let at = 0; at < n; at += step) {
      if (aborted(id)) return ABORTED;
      const end = Math.min(n, at + step);
      fn(a0.subarray((at / elements) * bytes, (end / elements) * bytes), type, end - at, into.subarray(at, end));
    }
    return finish(into, a3 as Typed | undefined, id);
  }
  return undefined;
}

/** A shared `out` given to the ggml calls (ggml.quantize refuses a non-finite value part by part) is written only once every part is done and the job was not aborted. */
function finish(into: Typed, given: Typed | undefined, id: number): unknown {
  if (given === undefined || given === into) return into;
  if (aborted(id)) return ABORTED;
  given.set(into);
  return given;
}

/** The result with every argument array in it replaced by a mark naming it: the caller puts its own array back there. */
function mark(value: unknown, arrays: Typed[], depth = 0): unknown {
  if (isTyped(value)) {
    const i = arrays.indexOf(value);
    return i >= 0 ? { [MARK]: i } : value;
  }
  if (depth < 2 && plainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = mark(v, arrays, depth + 1);
    return copy;
  }
  return value;
}

function transferables(value: unknown, seen: Set<ArrayBuffer>, depth = 0): void {
  if (isTyped(value)) {
    if (value.buffer instanceof ArrayBuffer && value.buffer.byteLength > 0) seen.add(value.buffer);
  } else if (depth < 2 && plainObject(value)) {
    for (const v of Object.values(value)) transferables(v, seen, depth + 1);
  }
}

/** First and last element that differ between two arrays of one type, as [start, end); [0, 0] when none. */
function changedSpan(before: Typed, after: Typed): [number, number] {
  const a = new Uint8Array(before.buffer, before.byteOffset, before.byteLength);
  const b = new Uint8Array(after.buffer, after.byteOffset, after.byteLength);
  let lo = 0;
  while (lo < a.length && a[lo] === b[lo]) lo++;
  if (lo === a.length) return [0, 0];
  let hi = a.length;
  while (hi > lo && a[hi - 1] === b[hi - 1]) hi--;
  const size = before.byteLength / before.length;
  return [Math.floor(lo / size), Math.ceil(hi / size)];
}

function run(job: Job): void {
  const { id, op } = job;
  const args = job.args.map((a) => decodeArg(a));
  const spec: OpSpec = OPS[op];
  try {
    if (aborted(id)) {
      parentPort!.postMessage({ id, aborted: true });
      return;
    }
    const arrays = argArrays(args);
    const out = outputOf(spec, args);
    const before = spec.partial && out !== undefined && !isShared(out) ? out.slice() : undefined;
    let value: unknown;
    if (op === 'observe') {
      const observer = restoreObserver(job.observer);
      (observer as { observe(...a: unknown[]): unknown }).observe(...args);
      value = observer[SNAPSHOT]();
    } else {
      const fn = lookup(op);
      value = undefined;
      if (spec.split !== undefined) {
        try {
          value = runSplit(spec, fn, args, id);
        } catch {
          // A part was refused: the whole call names the argument and the index exactly as the
          // synchronous call does (its checks run before it writes).
          value = undefined;
        }
      }
      if (value === ABORTED) {
        parentPort!.postMessage({ id, aborted: true });
        return;
      }
      if (value === undefined) value = fn(...args);
    }
    const reply: Record<string, unknown> = { id, value: mark(value, arrays) };
    const transfer = new Set<ArrayBuffer>();
    transferables(reply.value, transfer);
    if (out !== undefined && !isShared(out)) {
      reply.out = out;
      if (before !== undefined) reply.span = changedSpan(before, out);
      if (out.buffer instanceof ArrayBuffer && out.buffer.byteLength > 0) transfer.add(out.buffer as ArrayBuffer);
    }
    parentPort!.postMessage(reply, [...transfer]);
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ id, error: { name: err?.name, message: err?.message ?? String(e), code: (err as { code?: unknown })?.code } });
  }
}

parentPort!.on('message', (job: Job) => run(job));
