// The WebAssembly backend: the addon's kernels and checks (native/ops) compiled to a
// standalone WebAssembly module with 128-bit SIMD (scripts/build-wasm.js), behind the same
// binding (binding.d.ts) as the addon and the TypeScript backend, so the facade runs on it
// unchanged and gets the same bits.
//
// WebAssembly code reads and writes only its own memory, so each call copies its arrays in
// and its outputs back out (README "Installing": what it costs). Arrays that already lie in
// the module's memory (views of `memory.buffer`) are used where they are, without a copy.
// Arrays over one buffer whose bytes overlap are copied as one region, so the overlap checks
// see what the addon sees; an `out` only written is not copied in; nothing is copied back
// from a call that failed or refused its input (pack and ggmlQuantize returning an index).
//
// No Node built-ins here: the browser build (lib/browser) loads this module as is.
import type { QuantkitBinding } from '../../binding';
import { version } from '../core/version';
import { CALLS, KIND, type CallSpec, type KindName } from './calls';

/** What the module exports (native/wasm/exports.cc, exports.txt). */
interface ModuleExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  qk_version(): number;
  qk_frame(): number;
  qk_op_count(): number;
  qk_op_name(op: number): number;
  qk_isa_count(): number;
  qk_isa_name(level: number): number;
  qk_isa_runnable(level: number): number;
  qk_init(cap: number): number;
  qk_call(op: number): number;
  qk_message(): number;
  malloc(bytes: number): number;
  free(address: number): void;
}

/** Options of the WebAssembly backend. */
export interface WasmOptions {
  /** The highest kernel level to use, as QUANTKIT_ISA caps the addon's ('scalar' or 'simd128'); default: the best. */
  isa?: string;
}

type TypedArrayConstructor<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number };

/** The binding, with the module's memory for arrays the calls use in place, without a copy. */
export interface WasmBinding extends QuantkitBinding {
  /** The module's memory: a TypedArray over `memory.buffer` is passed without a copy. */
  readonly memory: WebAssembly.Memory;
  /**
   * A new `length`-element array in the module's memory (zeroed), which calls read and write
   * where it is, without a copy. Views of the memory last until it grows: then
   * `memory.buffer` is replaced and every view of the old one is detached (and reads as empty).
   * It grows when an allocate needs room, or when a call copies more bytes in than any call
   * before it (the copies' room, up to 64 MiB, is kept from call to call). So allocate once
   * (one Uint8Array for everything, then views of its parts), after a first call of the largest
   * size you will copy. RangeError when the module cannot grow to hold the array.
   */
  allocate<T extends ArrayBufferView>(ctor: TypedArrayConstructor<T>, length: number): T;
  /** Gives the memory of an array from allocate back to the module (the array must not be used after). */
  release(view: ArrayBufferView): void;
}

const FRAME_SLOTS = 64;
// The module's allocator (emscripten's dlmalloc over sbrk, whose increment is a signed 32-bit
// number) takes less than 2 GiB at once; its memory holds at most 4 GiB in all.
const MAX_BYTES = 2 ** 31 - 65536;

// What the glue reads through Node-API, read here through the engine's own getters, which look
// at a TypedArray's internal slots and run no user code: a subclass overriding `buffer` or
// `length`, or a Proxy, is seen as Node-API sees it. (v.buffer or `instanceof` would run them.)
const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array.prototype) as object;
const intrinsic = (proto: object, key: PropertyKey) => Object.getOwnPropertyDescriptor(proto, key)!.get!;
const typedArrayTag = intrinsic(TYPED_ARRAY, Symbol.toStringTag);
const bufferOf = intrinsic(TYPED_ARRAY, 'buffer') as (this: ArrayBufferView) => ArrayBufferLike;
const byteOffsetOf = intrinsic(TYPED_ARRAY, 'byteOffset') as (this: ArrayBufferView) => number;
const byteLengthOf = intrinsic(TYPED_ARRAY, 'byteLength') as (this: ArrayBufferView) => number;
const lengthOf = intrinsic(TYPED_ARRAY, 'length') as (this: ArrayBufferView) => number;
const arrayBufferByteLength = intrinsic(ArrayBuffer.prototype, 'byteLength');

// The TypedArray kind of v, as the engine knows it (a Buffer is a Uint8Array, a subclass its
// base class); undefined for anything else, a DataView or a Float16Array included.
function kindOf(v: unknown): KindName | undefined {
  const tag = typedArrayTag.call(v) as string | undefined;
  return tag !== undefined && tag in KIND ? (tag as KindName) : undefined;
}

// "an Int8Array", "a Uint8Array", as the glue writes them.
function article(kind: string): string {
  return /^[AEIO]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

// A JS number as native/args' DescribeNumber prints it (C++ ostream, 17 significant digits).
function describeNumber(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const exponent = Math.floor(Math.log10(Math.abs(d)));
  if (exponent < -5 || exponent >= 17) {
    const [m, e] = d.toExponential(16).split('e');
    const mantissa = m!.includes('.') ? m!.replace(/0+$/, '').replace(/\.$/, '') : m!;
    const n = Number(e);
    return `${mantissa}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const fixed = d.toPrecision(17);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

// How the Node-API glue describes a value of the wrong type (native/glue/common.h Describe;
// native/glue/preprocess.cc's names only the type).
function describe(v: unknown, style: CallSpec['describe']): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return style === 'preprocess' ? 'a boolean' : String(v);
    case 'number': return style === 'preprocess' ? 'a number' : describeNumber(v);
    case 'string': return 'a string';
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    case 'bigint': return 'a bigint';
    default: break;
  }
  const kind = typedArrayTag.call(v) as string | undefined;
  if (kind !== undefined) return style === 'preprocess' && !(kind in KIND) ? 'another TypedArray' : article(kind);
  if (style === 'preprocess') return 'an object';
  try {
    if (Array.isArray(v)) return 'an Array';
  } catch {
    return 'an object'; // a revoked Proxy
  }
  try {
    arrayBufferByteLength.call(v); // throws for anything but an ArrayBuffer, running no user code
    return 'an ArrayBuffer';
  } catch {
    return 'an object';
  }
}

function isDetached(view: ArrayBufferView): boolean {
  if (byteLengthOf.call(view) !== 0) return false;
  try {
    new Uint8Array(bufferOf.call(view), 0, 0);
    return false;
  } catch {
    return true;
  }
}

interface Member {
  buffer: ArrayBufferLike;
  /** In elements. */
  length: number;
  kind: number;
  io: 'in' | 'out' | 'inout';
  start: number;
  end: number;
  /** Where the kernels see it: in the module's memory already (its byteOffset), or its copy. */
  address: number;
  /** A view of the module's own memory: passed where it is, never copied. */
  inMemory: boolean;
}

/** Arrays over one buffer whose bytes overlap, copied as one span of the module's memory. */
interface Region {
  buffer: ArrayBufferLike;
  start: number;
  end: number;
  members: Member[];
  address: number;
}

// Regions of overlapping byte ranges, per buffer; arrays already in `memory` get none.
function regionsOf(members: Member[]): Region[] {
  const byBuffer = new Map<ArrayBufferLike, Member[]>();
  for (const m of members) {
    if (m.inMemory) continue;
    const list = byBuffer.get(m.buffer);
    if (list) list.push(m);
    else byBuffer.set(m.buffer, [m]);
  }
  const regions: Region[] = [];
  for (const [buffer, list] of byBuffer) {
    list.sort((a, b) => a.start - b.start);
    let current: Region | undefined;
    for (const m of list) {
      if (current && m.start < current.end && m.end > m.start) {
        current.end = Math.max(current.end, m.end);
        current.members.push(m);
      } else {
        current = { buffer, start: m.start, end: m.end, members: [m], address: 0 };
        regions.push(current);
      }
    }
  }
  return regions;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function readString(ex: ModuleExports, address: number): string {
  const bytes = new Uint8Array(ex.memory.buffer);
  let end = address;
  while (bytes[end] !== 0) end++;
  return decoder.decode(bytes.subarray(address, end));
}

/**
 * Where the calls' copies go: one block kept from call to call, grown to the largest call up to
 * SCRATCH_LIMIT, so that once the module has made a call of some size, calls up to that size
 * neither allocate nor grow the memory (growth would detach the views `allocate` handed out).
 * A larger call gets a block of its own, freed after it.
 */
const SCRATCH_LIMIT = 64 * 1024 * 1024;
interface Scratch {
  address: number;
  bytes: number;
}

function takeBlock(ex: ModuleExports, scratch: Scratch, bytes: number): number {
  if (bytes <= scratch.bytes) return scratch.address;
  if (bytes > SCRATCH_LIMIT) return ex.malloc(bytes);
  if (scratch.bytes !== 0) ex.free(scratch.address);
  scratch.bytes = 0;
  scratch.address = ex.malloc(bytes);
  if (scratch.address !== 0) scratch.bytes = bytes;
  return scratch.address;
}

function makeCall(ex: ModuleExports, spec: CallSpec, op: number, scratch: Scratch): (...args: unknown[]) => unknown {
  const count = spec.params.length;
  return function wasmCall(...args: unknown[]): unknown {
    if (args.length !== count) {
      throw new TypeError(`${spec.name} takes ${count} argument${count === 1 ? '' : 's'} but received ${args.length}`);
    }
    // Unwrap as the glue does: arrays and booleans in order; numbers are native/args' to check.
    const members: Member[] = [];
    const kinds = new Map<string, KindName>();
    const notNumbers: Uint8Array[] = [];
    spec.params.forEach((p, i) => {
      const v = args[i];
      if (p.type === 'array') {
        const kind = kindOf(v);
        if (kind === undefined || !p.kinds.includes(kind)) {
          throw new TypeError(`Expected ${p.expected} for ${p.name} but received ${describe(v, spec.describe)}`);
        }
        const view = v as ArrayBufferView;
        if (isDetached(view)) throw new RangeError(`Expected ${p.name} to be attached but its buffer is detached`);
        const like = p.like === undefined ? undefined : kinds.get(p.like);
        if (like !== undefined && like !== kind) throw new TypeError(`Expected ${p.name} to be ${article(like)} like ${p.like} but received ${article(kind)}`);
        kinds.set(p.name, kind);
        const buffer = bufferOf.call(view);
        const inMemory = buffer === ex.memory.buffer;
        const start = byteOffsetOf.call(view);
        members.push({ buffer, length: lengthOf.call(view), kind: KIND[kind], io: p.io, start, end: start + byteLengthOf.call(view), address: inMemory ? start : 0, inMemory });
      } else if (p.type === 'boolean') {
        if (typeof v !== 'boolean') throw new TypeError(`Expected a boolean for ${p.name} but received ${describe(v, spec.describe)}`);
      } else if (typeof v !== 'number') {
        notNumbers.push(encoder.encode(`${describe(v, spec.describe)}\0`));
      }
    });
    const regions = regionsOf(members);
    let total = 0;
    for (const r of regions) total += r.end - r.start + 8;
    for (const s of notNumbers) total += s.length;
    if (total > MAX_BYTES) {
      throw new RangeError(`${spec.name} needs ${total} bytes of WebAssembly memory for its arrays, more than the ${MAX_BYTES} the WebAssembly backend can take in one call: use smaller calls (or the native addon)`);
    }
    const block = total === 0 ? 0 : takeBlock(ex, scratch, total);
    if (total !== 0 && block === 0) {
      throw new RangeError(`${spec.name} needs ${total} bytes of WebAssembly memory for its arrays and the module could not allocate them (its memory, ${ex.memory.buffer.byteLength} bytes now, holds at most 4 GiB): use smaller calls (or the native addon)`);
    }
    try {
      // After malloc: the memory may have grown, which replaces memory.buffer.
      const heap = new Uint8Array(ex.memory.buffer);
      let cursor = block;
      for (const r of regions) {
        // The region keeps its start's alignment modulo 8, so every array in it stays aligned.
        // (Arithmetic, not bitwise: addresses and offsets pass 2^31.)
        r.address = Math.ceil(cursor / 8) * 8 + (r.start % 8);
        cursor = r.address + (r.end - r.start);
        if (r.members.length > 1 || r.members[0]!.io !== 'out') heap.set(new Uint8Array(r.buffer, r.start, r.end - r.start), r.address);
        for (const m of r.members) m.address = r.address + (m.start - r.start);
      }
      const frame = new Float64Array(ex.memory.buffer, ex.qk_frame(), FRAME_SLOTS);
      let slot = 0;
      let member = 0;
      let text = 0;
      spec.params.forEach((p, i) => {
        const v = args[i];
        if (p.type === 'array') {
          const m = members[member++]!;
          frame[slot++] = m.address;
          frame[slot++] = m.length;
          frame[slot++] = m.kind;
        } else if (p.type === 'boolean') {
          frame[slot++] = v ? 1 : 0;
        } else if (typeof v === 'number') {
          frame[slot++] = 0;
          frame[slot++] = v;
        } else {
          const s = notNumbers[text++]!;
          heap.set(s, cursor);
          frame[slot++] = cursor;
          frame[slot++] = 0;
          cursor += s.length;
        }
      });
      const status = ex.qk_call(op);
      if (status !== 0) {
        const message = readString(ex, ex.qk_message());
        throw status === 1 ? new TypeError(message) : new RangeError(message);
      }
      const result = new Float64Array(ex.memory.buffer, ex.qk_frame(), 1)[0]!;
      if (!spec.returns || result === -1) {
        const after = new Uint8Array(ex.memory.buffer);
        for (const m of members) {
          if (m.io === 'in' || m.inMemory) continue;
          new Uint8Array(m.buffer, m.start, m.end - m.start).set(after.subarray(m.address, m.address + (m.end - m.start)));
        }
      }
      return spec.returns ? result : undefined;
    } finally {
      if (block !== 0 && block !== scratch.address) ex.free(block);
    }
  };
}

/** The imports a standalone emscripten module asks for (no file system, no environment). */
function importsFor(): WebAssembly.Imports {
  return {
    env: { emscripten_notify_memory_growth: () => {} },
    wasi_snapshot_preview1: {
      proc_exit: (code: number) => {
        throw new Error(`the WebAssembly module of quantkit exited with code ${code}`);
      },
      // No environment: the module reads QUANTKIT_* from its caller (options), not from here.
      environ_sizes_get: () => 52, // WASI ENOSYS
      environ_get: () => 52,
    },
  };
}

const REQUIRED_EXPORTS = ['memory', '_initialize', 'qk_version', 'qk_frame', 'qk_op_count', 'qk_op_name', 'qk_isa_count', 'qk_isa_name',
  'qk_isa_runnable', 'qk_init', 'qk_call', 'qk_message', 'malloc', 'free'] as const;

function bindingOf(instance: WebAssembly.Instance, options: WasmOptions): WasmBinding {
  const raw = instance.exports as unknown as ModuleExports;
  const missing = REQUIRED_EXPORTS.filter((name) => !(name in raw));
  if (missing.length > 0) throw new Error(`this is not quantkit's WebAssembly module: it does not export ${missing.join(', ')}`);
  // Addresses come back as i32: above 2 GiB they read as negative numbers unless made unsigned.
  const ex: ModuleExports = {
    ...raw,
    memory: raw.memory,
    malloc: (bytes) => raw.malloc(bytes) >>> 0,
    qk_frame: () => raw.qk_frame() >>> 0,
    qk_message: () => raw.qk_message() >>> 0,
    qk_version: () => raw.qk_version() >>> 0,
    qk_op_name: (op) => raw.qk_op_name(op) >>> 0,
    qk_isa_name: (level) => raw.qk_isa_name(level) >>> 0,
  };
  ex._initialize();
  const moduleVersion = readString(ex, ex.qk_version());
  if (moduleVersion !== version) {
    throw new Error(`the WebAssembly module was built for quantkit ${moduleVersion} but this is ${version} (in a checkout, run 'npm run build:wasm')`);
  }
  const names = Array.from({ length: ex.qk_op_count() }, (_, op) => readString(ex, ex.qk_op_name(op)));
  if (names.join() !== CALLS.map((c) => c.name).join()) {
    throw new Error(`the WebAssembly module's calls (${names.join(', ')}) are not the ones lib/backend-wasm/calls.ts lists: rebuild it with 'npm run build:wasm'`);
  }
  const levels = Array.from({ length: ex.qk_isa_count() }, (_, level) => readString(ex, ex.qk_isa_name(level)));
  const runnable = levels.filter((_, level) => ex.qk_isa_runnable(level) === 1);
  let cap = levels.length;
  if (options.isa !== undefined && options.isa !== '') {
    cap = levels.indexOf(options.isa);
    if (cap < 0 || !runnable.includes(options.isa)) {
      throw new RangeError(`Expected the WebAssembly backend's isa to be one of ${runnable.join(', ')} but received '${options.isa}'`);
    }
  }
  const level = ex.qk_init(cap);
  const calls: Record<string, unknown> = {};
  const scratch: Scratch = { address: 0, bytes: 0 };
  CALLS.forEach((spec, op) => {
    calls[spec.name] = makeCall(ex, spec, op, scratch);
  });
  return {
    version,
    isa: levels[level]!,
    isaAvailable: Object.freeze(runnable),
    threads: 1,
    memory: ex.memory,
    allocate<T extends ArrayBufferView>(ctor: TypedArrayConstructor<T>, length: number): T {
      const bytes = length * ctor.BYTES_PER_ELEMENT;
      if (!Number.isInteger(length) || length < 0 || bytes > MAX_BYTES) {
        throw new RangeError(`Expected an integer length from 0 to ${Math.floor(MAX_BYTES / ctor.BYTES_PER_ELEMENT)} but received ${String(length)}`);
      }
      const address = ex.malloc(Math.max(bytes, 1));
      if (address === 0) throw new RangeError(`the WebAssembly module could not allocate ${bytes} more bytes (its memory, ${ex.memory.buffer.byteLength} bytes now, holds at most 4 GiB)`);
      new Uint8Array(ex.memory.buffer, address, bytes).fill(0);
      return new ctor(ex.memory.buffer, address, length);
    },
    release(view: ArrayBufferView): void {
      if (kindOf(view) === undefined || bufferOf.call(view) !== ex.memory.buffer) {
        throw new RangeError('Expected an array from allocate, over the module\'s current memory (allocate again after the memory grew)');
      }
      ex.free(byteOffsetOf.call(view));
    },
    // binding.d.ts: the per-call floor bench/overhead.js measures; nothing to do.
    callFloor: () => {},
    // binding.d.ts: every call runs on its caller's thread, so there is nothing to cap; the
    // argument is checked as the addon checks it.
    capThreads(...args: unknown[]): void {
      if (args.length !== 1) throw new TypeError(`capThreads takes 1 argument but received ${args.length}`);
      const n = args[0];
      if (typeof n !== 'number') throw new TypeError(`Expected a number for n but received ${describe(n, undefined)}`);
      if (!(Number.isInteger(n) && n >= 0 && n <= 8)) throw new RangeError(`Expected an integer from 0 to 8 for n but received ${describeNumber(n)}`);
    },
    ...calls,
  } as unknown as WasmBinding;
}

/**
 * The WebAssembly backend from a compiled module, synchronously (Node compiles any size
 * synchronously; a browser's main thread only small modules, so browsers use
 * {@link instantiateWasmBinding}). Throws Error when the module belongs to another version,
 * RangeError for an `isa` the module cannot run.
 */
export function createWasmBinding(module: WebAssembly.Module, options: WasmOptions = {}): WasmBinding {
  return bindingOf(new WebAssembly.Instance(module, importsFor()), options);
}

/** The WebAssembly backend from the module's bytes or a compiled module, asynchronously. */
export async function instantiateWasmBinding(source: BufferSource | WebAssembly.Module, options: WasmOptions = {}): Promise<WasmBinding> {
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  return bindingOf(await WebAssembly.instantiate(module, importsFor()), options);
}
