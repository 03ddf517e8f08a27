// The threads async jobs run on: up to os.availableParallelism() worker threads, started when a
// job finds none idle, each running one job at a time (N concurrent jobs spread over N cores).
// An idle worker is unref'd, so it never keeps a process alive; a busy one is ref'd, so a
// pending job does. A job waits in a first-in, first-out queue when every worker is busy.
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { backend } from '../core/backend';
import type { OpName } from './ops';

export interface Reply {
  id: number;
  value?: unknown;
  out?: ArrayBufferView & { length: number };
  span?: [number, number];
  aborted?: boolean;
  error?: { name?: string; message: string; code?: unknown };
}

export interface Job {
  op: OpName;
  args: unknown[];
  transfer: ArrayBuffer[];
  observer?: unknown;
  /** The job writes memory the caller can see (a SharedArrayBuffer): an abort waits for the worker to stop. */
  writesShared: boolean;
  onReply(reply: Reply): void;
  onAbort(): void;
  /** postMessage refused the arguments (DataCloneError): the caller decides what to report. */
  onCloneError(error: Error): void;
}

interface Slot {
  worker: Worker;
  control: Int32Array;
  job?: Running;
}

interface Running extends Job {
  id: number;
  /** The caller was told the job was aborted; the reply, when it comes, only frees the worker. */
  settled: boolean;
}

const WORKER = path.join(__dirname, 'worker.js');
let nextId = 1;

function newId(): number {
  const id = nextId;
  nextId = nextId >= 0x7fffffff ? 1 : nextId + 1;
  return id;
}

/** How many workers the pool may start: QUANTKIT_ASYNC_THREADS when set (1–256), else os.availableParallelism(). */
export function poolSize(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.QUANTKIT_ASYNC_THREADS;
  if (v === undefined || v === '') return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256) {
    throw new RangeError(`Expected QUANTKIT_ASYNC_THREADS to be an integer from 1 to 256 but received '${v}'`);
  }
  return Number(v);
}

// Checked when quantkit loads, as QUANTKIT_THREADS is: a mistyped value names itself at once.
const SIZE = poolSize();

class Pool {
  private readonly slots: Slot[] = [];
  private readonly queue: Running[] = [];
  private readonly size = SIZE;

  /** Queues a job; returns a function that aborts it. */
  submit(job: Job): () => void {
    const running: Running = { ...job, id: newId(), settled: false };
    this.queue.push(running);
    this.pump();
    return () => this.abort(running);
  }

  /** Workers started and jobs waiting (for tests and the bench). */
  stats(): { workers: number; busy: number; queued: number } {
    return { workers: this.slots.length, busy: this.slots.filter((s) => s.job !== undefined).length, queued: this.queue.length };
  }

  private abort(job: Running): void {
    if (job.settled) return;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      job.settled = true;
      job.onAbort();
      return;
    }
    const slot = this.slots.find((s) => s.job === job);
    if (slot === undefined) return; // already answered
    Atomics.store(slot.control, 0, job.id);
    if (!job.writesShared) {
      // Nothing the caller sees is written by the worker: say so now, let the worker stop.
      job.settled = true;
      job.onAbort();
    }
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === undefined);
      if (slot === undefined) {
        if (this.slots.length >= this.size) return;
        slot = this.start();
      }
      const job = this.queue.shift() as Running;
      this.post(slot, job);
    }
  }

  private post(slot: Slot, job: Running): void {
    Atomics.store(slot.control, 0, 0);
    slot.job = job;
    slot.worker.ref();
    try {
      slot.worker.postMessage({ id: job.id, op: job.op, args: job.args, observer: job.observer }, job.transfer);
    } catch (e) {
      slot.job = undefined;
      slot.worker.unref();
      job.settled = true;
      job.onCloneError(e as Error);
    }
  }

  private start(): Slot {
    const control = new Int32Array(new SharedArrayBuffer(4));
    const env: NodeJS.ProcessEnv = { ...process.env, QUANTKIT_BACKEND: backend.name };
    if (backend.name !== 'fallback') env.QUANTKIT_ISA = backend.isa;
    const worker = new Worker(WORKER, { workerData: { control: control.buffer }, env });
    const slot: Slot = { worker, control };
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const job = slot.job;
      slot.job = undefined;
      worker.unref();
      if (job !== undefined && reply.id === job.id && !job.settled) {
        job.settled = true;
        job.onReply(reply);
      }
      this.pump();
    });
    const lost = (why: string) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const job = slot.job;
      slot.job = undefined;
      if (job !== undefined && !job.settled) {
        job.settled = true;
        job.onReply({ id: job.id, error: { name: 'Error', message: `quantkit's async worker stopped while running ${job.op}: ${why}` } });
      }
      this.pump();
    };
    worker.on('error', (e) => lost(e instanceof Error ? e.message : String(e)));
    worker.on('exit', (code) => lost(`it exited with code ${code}`));
    this.slots.push(slot);
    return slot;
  }
}

export const pool = new Pool();
