// Progress on stderr: a cli-progress bar when stderr is a terminal, plain lines (at most one
// per 10 %) when it is not, nothing with --quiet.
import { SingleBar, Presets } from 'cli-progress';
import type { ProgressCallback } from '../io/types';

export interface Progress {
  update: ProgressCallback;
  stop(): void;
}

function mbOf(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

/** The bar on screen now, if any: stopped on SIGINT so the terminal gets its cursor back. */
export let activeBar: { stop(): void } | undefined;

/** `unit`: 'bytes' shows MB (files), 'nodes' shows counts (ONNX graphs). */
export function startProgress(label: string, quiet: boolean, stream: NodeJS.WriteStream = process.stderr, unit: 'bytes' | 'nodes' = 'bytes'): Progress {
  const mb = unit === 'bytes' ? mbOf : (n: number) => `${n}`;
  if (quiet) return { update: () => undefined, stop: () => undefined };
  // A total of 0 means unknown (calibration runs of an iterable): counts without a percentage,
  // on one line that is rewritten on a terminal, at 1, 2, 4, 8, … in a log.
  let unknownShown = 0;
  const unknown = (done: number, tensor: string): void => {
    if (stream.isTTY) {
      stream.write(`\r${label}: ${tensor}\x1b[K`);
      unknownShown = done;
    } else if ((done & (done - 1)) === 0) {
      stream.write(`${label}: ${tensor}\n`);
    }
  };
  const endUnknown = (): void => {
    if (unknownShown > 0 && stream.isTTY) stream.write('\n');
    unknownShown = 0;
  };
  if (stream.isTTY) {
    const bar = new SingleBar({ stream, format: `${label} [{bar}] {percentage}% | {done}/{all} | {tensor}`, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
    let started = false;
    return {
      update(done, total, tensor) {
        if (total === 0) return unknown(done, tensor);
        endUnknown();
        if (!started) {
          bar.start(total, 0, { done: mb(0), all: mb(total), tensor });
          started = true;
          activeBar = bar;
        }
        bar.update(done, { done: mb(done), all: mb(total), tensor });
      },
      stop() {
        endUnknown();
        if (started) bar.stop();
        started = false;
        activeBar = undefined;
      },
    };
  }
  let lastTenth = -1;
  return {
    update(done, total, tensor) {
      if (total === 0) return unknown(done, tensor);
      const tenth = Math.floor((done / total) * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`${label}: ${Math.min(100, tenth * 10)}% (${mb(done)} of ${mb(total)}, ${tensor})\n`);
    },
    stop: () => undefined,
  };
}
