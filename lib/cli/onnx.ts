// `quantkit quantize IN.onnx OUT.onnx --mode …`: the command's side of quantkit/onnx
// (lib/onnx). Options map one to one onto quantizeModel's; the summary lists what changed.
import { CommanderError, InvalidArgumentError, Option, type Command } from 'commander';
import { checkModelOptions, MODEL_MODES, quantizeModel, type QuantizeModelOptions, type QuantizeModelResult } from '../onnx';
import { startProgress } from './progress';
import { detectFormat } from '../io/detect';
import { formatBytes } from './bytes';

/** The command-line options of the ONNX path, as commander parses them. */
export interface OnnxCliOptions {
  mode?: string;
  perChannel?: boolean;
  weightType?: string;
  activationType?: string;
  blockSize?: number;
  symmetric?: boolean;
  reduceRange?: boolean;
  calibration?: string;
  method?: string;
  percentile?: number;
  bins?: number;
  accuracyLevel?: number;
  foldBatchNorm?: boolean;
  externalDataDir?: string;
  keepFloat32Op?: string[];
  float32Io?: boolean;
  excludeOp?: string[];
  excludeNode?: string[];
  opset?: number;
  externalData?: boolean;
  json?: boolean;
  quiet?: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => {
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new InvalidArgumentError(`expected names (comma-separated, none empty) but received ${JSON.stringify(v)}`);
  return [...prev, ...items];
};
const integer = (v: string): number => {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`expected an integer but received ${JSON.stringify(v)}`);
  return Number(v);
};
const number = (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number but received ${JSON.stringify(v)}`);
  return n;
};

/** Adds the ONNX options to the quantize command. */
export function addOnnxOptions(c: Command): Command {
  return c
    .addOption(new Option('-m, --mode <mode>', 'ONNX models: how to quantize (README "ONNX models")').choices([...MODEL_MODES]))
    .option('--per-channel', 'ONNX dynamic/weights-only: one scale per output channel (qdq: the default)')
    .option('--per-tensor', 'ONNX qdq, weights-only: one scale per weight tensor (their default is per channel)')
    .addOption(new Option('--weight-type <type>', 'ONNX dynamic: int8|uint8; weights-only: int8|uint8|int4|uint4').choices(['int8', 'uint8', 'int4', 'uint4']))
    .addOption(new Option('--activation-type <type>', 'ONNX qdq: the activations\' type').choices(['uint8', 'int8']))
    .option('--block-size <n>', 'ONNX weights-only: blocked weights (opset 21); matmul-nbits: 32, 64, 128 (default), …', integer)
    .option('--symmetric', 'weights\' zero point in the middle of the range')
    .option('--asymmetric', 'weights\' zero point from their min and max')
    .option('--reduce-range', 'ONNX Runtime\'s reduce_range: 7-bit weights')
    .option('--calibration <file.npz>', 'ONNX qdq: calibration inputs, one member per model input')
    .addOption(new Option('--method <method>', 'ONNX qdq: the activation observer').choices(['minmax', 'percentile', 'entropy', 'mse']))
    .option('--percentile <p>', 'ONNX qdq --method percentile: the percentile (default 99.999)', number)
    .option('--bins <n>', 'ONNX qdq --method percentile|entropy|mse: histogram bins (default 2048; entropy 128)', integer)
    .option('--accuracy-level <n>', 'ONNX matmul-nbits: MatMulNBits accuracy_level (0–4)', integer)
    .option('--keep-float32-op <op>', 'ONNX fp16: keep this op type in float32 (repeatable, or comma-separated)', collect)
    .option('--no-float32-io', 'ONNX fp16: make the graph\'s inputs and outputs float16 too')
    .option('--exclude-op <op>', 'ONNX: leave nodes of this op type as they are (repeatable, or comma-separated)', collect)
    .option('--exclude-node <name>', 'ONNX: leave this node as it is (repeatable, or comma-separated)', collect)
    .option('--opset <n>', 'ONNX: upgrade the model to this opset first (default: what the mode needs)', integer)
    .option('--fold-batch-norm', 'ONNX: fold each BatchNormalization into the Conv before it first (the default but for matmul-nbits)')
    .option('--no-fold-batch-norm', 'ONNX: keep BatchNormalization nodes as they are')
    .option('--external-data', 'ONNX: write tensors to OUT.data next to OUT (automatic over 2 GB or when IN has external data)')
    .option('--no-external-data', 'ONNX: write one file, never OUT.data (a model over 2 GB is then an error)')
    .option('--external-data-dir <dir>', 'ONNX: where IN\'s external data files are (default: IN\'s folder)');
}

/** Whether the command line asks for the ONNX path: IN ends in .onnx, or --mode is given. */
export function isOnnxJob(input: string, o: OnnxCliOptions): boolean {
  return /\.onnx$/i.test(input) || o.mode !== undefined;
}

/** A quantizeModel option's command-line flag, for messages. */
const FLAGS: Record<string, string> = { keepIoTypes: '--no-float32-io', keepFloat32Ops: '--keep-float32-op', externalData: '--external-data', output: 'OUT', calibration: '--calibration', foldBatchNorm: '--fold-batch-norm' };
function flagOf(option: string): string {
  return FLAGS[option] ?? `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** A message with quantizeModel's option names replaced by the command's flags. */
function flagMessage(message: string): string {
  return message.replace(/options\.perChannel: (true|false)/g, (_m, v: string) => (v === 'true' ? '--per-channel' : '--per-tensor')).replace(/options\.([A-Za-z0-9]+)/g, (_m, k: string) => flagOf(k)).replace(/excluded by (excludeOp|excludeNode)/g, (_m, k: string) => `excluded by ${flagOf(k)}`);
}

/** An option error of quantizeModel as the command's usage error: exit status 2, flags instead of option names. */
function asUsageError(e: unknown): unknown {
  if (!(e instanceof TypeError || e instanceof RangeError)) return e;
  return new CommanderError(2, 'quantkit.onnxOption', flagMessage(e.message));
}

/** The text summary of a quantizeModel result. */
export function onnxSummary(r: QuantizeModelResult, output: string): string {
  const lines = [`${output}: mode ${r.mode}, ${formatBytes(r.sizeBefore)} → ${formatBytes(r.sizeAfter)} (${((100 * r.sizeAfter) / Math.max(1, r.sizeBefore)).toFixed(1)}%)`];
  if (r.opsetAfter !== r.opsetBefore) lines.push(`opset upgraded ${r.opsetBefore} → ${r.opsetAfter}`);
  const byAs = new Map<string, number>();
  for (const c of r.changed) byAs.set(`${c.opType} → ${c.as}`, (byAs.get(`${c.opType} → ${c.as}`) ?? 0) + 1);
  const asRead = r.opsetAfter === r.opsetBefore && !r.batchNormsFolded ? '; OUT is the model as read' : '';
  const none = r.skipped.length ? `every node mode ${r.mode} rewrites was left as it was, as listed below` : `the model has no node mode ${r.mode} rewrites`;
  lines.push(`nodes changed: ${r.nodesChanged}${r.nodesChanged === 0 ? ` (${none}${asRead})` : ''}`);
  if (r.batchNormsFolded) lines.push(`BatchNormalization folded into the Conv before it: ${r.batchNormsFolded}`);
  for (const [k, n] of [...byAs].sort((a, b) => b[1] - a[1])) lines.push(`  ${String(n).padStart(5)}  ${k}`);
  if (r.skipped.length) {
    const why = new Map<string, number>();
    for (const s of r.skipped) why.set(`${s.opType}: ${s.reason}`, (why.get(`${s.opType}: ${s.reason}`) ?? 0) + 1);
    lines.push(`nodes left as they were: ${r.skipped.length}`);
    for (const [k, n] of [...why].sort((a, b) => b[1] - a[1])) lines.push(`  ${String(n).padStart(5)}  ${flagMessage(k)}`);
  }
  if (r.clamped.length) {
    const small = r.clamped.reduce((a, c) => a + c.small, 0);
    const large = r.clamped.reduce((a, c) => a + c.large, 0);
    const names = r.clamped.slice(0, 3).map((c) => c.tensor).join(', ') + (r.clamped.length > 3 ? `, … (${r.clamped.length - 3} more; --json lists them)` : '');
    lines.push(`float16 clamped values in ${r.clamped.length} tensor${r.clamped.length === 1 ? '' : 's'}: ${small} with 0 < |x| < 1e-7 → ±1e-7, ${large} with |x| > 65504 → ±65504 (${names})`);
  }
  if (r.dataFile) lines.push(`external data: ${r.dataFile}`);
  return lines.join('\n');
}

/** The quantizeModel options of a command line (a usage error, exit status 2, for a missing --mode or conflicting flags). */
export function onnxOptions(o: OnnxCliOptions & { asymmetric?: boolean; perTensor?: boolean }, output: string): QuantizeModelOptions {
  if (o.mode === undefined) throw new CommanderError(2, 'quantkit.modeMissing', `ONNX models need --mode (${MODEL_MODES.join(', ')})`);
  if (o.symmetric && o.asymmetric) throw new CommanderError(2, 'quantkit.conflict', '--symmetric and --asymmetric exclude each other');
  if (o.perChannel && o.perTensor) throw new CommanderError(2, 'quantkit.conflict', '--per-channel and --per-tensor exclude each other');
  const opts: Record<string, unknown> = { mode: o.mode, output };
  const set = (k: string, v: unknown): void => {
    if (v !== undefined) opts[k] = v;
  };
  set('perChannel', o.perChannel ? true : o.perTensor ? false : undefined);
  set('weightType', o.weightType);
  set('activationType', o.activationType);
  set('blockSize', o.blockSize);
  set('symmetric', o.symmetric ? true : o.asymmetric ? false : undefined);
  set('reduceRange', o.reduceRange);
  set('calibration', o.calibration);
  set('method', o.method);
  set('percentile', o.percentile);
  set('bins', o.bins);
  set('foldBatchNorm', o.foldBatchNorm);
  set('externalDataDir', o.externalDataDir);
  set('accuracyLevel', o.accuracyLevel);
  set('keepFloat32Ops', o.keepFloat32Op);
  if (o.float32Io === false) opts.keepIoTypes = false;
  set('excludeOp', o.excludeOp);
  set('excludeNode', o.excludeNode);
  set('opset', o.opset);
  set('externalData', o.externalData);
  return opts as unknown as QuantizeModelOptions;
}

/** Runs the ONNX path of `quantkit quantize`. */
export async function quantizeOnnx(input: string, output: string, o: OnnxCliOptions, out: (s: string) => void): Promise<void> {
  if (!/\.onnx$/i.test(input)) {
    // --mode on a tensor file: say what IN is (the ONNX reader would only say it does not decode).
    const format = await detectFormat(input).catch(() => undefined);
    if (format !== undefined) throw new CommanderError(2, 'quantkit.modeOnTensorFile', `${input} is a ${format === 'tfjs' ? 'tfjs' : format} file, not an ONNX model: --mode is for ONNX models; tensor files take --scheme (README "The command")`);
  }
  if (!/\.onnx$/i.test(output)) throw new CommanderError(2, 'quantkit.onnxOut', `OUT for an ONNX model must end in .onnx (the output is an ONNX model) but received ${output}`);
  const opts = onnxOptions(o, output);
  try {
    checkModelOptions(opts);
  } catch (e) {
    throw asUsageError(e);
  }
  const bar = startProgress('quantize', Boolean(o.quiet || o.json), process.stderr, 'nodes');
  try {
    let r: QuantizeModelResult;
    try {
      r = await quantizeModel(input, { ...opts, onProgress: bar.update });
    } catch (e) {
      // The library names its options (options.excludeOp); the command's user typed flags.
      if (e instanceof Error && /options\.[A-Za-z]/.test(e.message)) e.message = flagMessage(e.message);
      throw e;
    }
    bar.stop();
    if (o.json) out(JSON.stringify({ ...r, bytes: undefined }, null, 2));
    else if (!o.quiet) out(onnxSummary(r, output));
  } finally {
    bar.stop();
  }
}
