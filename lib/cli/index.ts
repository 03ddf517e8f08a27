// The `quantkit` command (README "Files and the command"): inspect, quantize, dequantize and
// compare model files. Argument parsing by commander, progress by cli-progress (progress.ts),
// charts by Vega-Lite (chart.ts); the work itself is quantkit/io's (lib/io/convert).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import quantkit, { formatTable } from '../index';
import { openTensorFile } from '../io/open';
import { compareFile, dequantizeFile, FILE_SCHEMES, quantizeFile, SCHEMES, type CompareFileResult, type QuantizeFileResult } from '../io/convert';
import { renderChart } from './chart';
import { activeBar, startProgress } from './progress';
import { writeAtomically } from '../io/file';
import { addOnnxOptions, isOnnxJob, quantizeOnnx, type OnnxCliOptions } from './onnx';
import { formatBytes } from './bytes';

/** The file `inspect` and `compare` use when given none (assets/README.md says what it is). */
export const DEFAULT_FILE = path.join(__dirname, '..', '..', 'assets', 'paddleocr-cls.safetensors');

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

function table(header: string[], rows: string[][], right: boolean[]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

function showValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.length} ${v.length === 1 ? 'value' : 'values'}${v.length ? `: ${v.slice(0, 4).map((x) => showValue(x)).join(', ')}${v.length > 4 ? ', …' : ''}` : ''}]`;
  const s = typeof v === 'bigint' ? v.toString() : JSON.stringify(v, jsonReplacer) ?? String(v);
  return s.length > 100 ? `${s.slice(0, 97)}…` : s;
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (ArrayBuffer.isView(v)) return `<${(v as { length?: number }).length ?? v.byteLength} values>`;
  return v;
}

function parseMetadata(value: string, prev: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected KEY=VALUE but received ${JSON.stringify(value)}`);
  const key = value.slice(0, eq);
  const raw = value.slice(eq + 1);
  // Typed only when the text is exactly what the number prints as: "3", "-2", "1.5" are
  // numbers; "007", "1e400", "99999999999999999999" (past 2^53) stay strings.
  let v: string | number | boolean = raw;
  if (raw === 'true' || raw === 'false') v = raw === 'true';
  else if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(raw) && Number.isFinite(Number(raw)) && String(Number(raw)) === raw && (raw.includes('.') || Number.isSafeInteger(Number(raw)))) v = Number(raw);
  return { ...prev, [key]: v };
}

function collect(value: string, prev: string[] = []): string[] {
  return [...prev, value];
}

async function inspect(file: string, opts: { json?: boolean }, io: Io): Promise<void> {
  const f = await openTensorFile(file);
  try {
    const size = f.format === 'tfjs' ? undefined : fs.statSync(file).size;
    if (opts.json) {
      io.out(JSON.stringify({ file, format: f.format, bytes: size, metadata: f.metadata, tensors: f.tensors }, jsonReplacer, 2));
      return;
    }
    const total = f.tensors.reduce((s, t) => s + t.byteLength, 0);
    io.out(`${file}\nformat: ${f.format}${size !== undefined ? `, ${formatBytes(size)}` : ''}; ${f.tensors.length} tensors, ${formatBytes(total)} of tensor data\n`);
    const meta = Object.entries(f.metadata);
    if (meta.length) {
      io.out('metadata:');
      for (const [k, v] of meta) io.out(`  ${k} = ${showValue(v)}`);
      io.out('');
    }
    io.out(table(['tensor', 'dtype', 'shape', 'bytes'], f.tensors.map((t) => [t.name, t.storedType, `[${t.shape.join(', ')}]`, String(t.byteLength)]), [false, false, false, true]));
  } finally {
    await f.close();
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function quantizeSummary(r: QuantizeFileResult): string {
  const counts = { quantized: 0, converted: 0, kept: 0 };
  for (const t of r.tensors) counts[t.action]++;
  const lines = [
    `${r.input} (${r.inputFormat}) → ${r.output} (${r.outputFormat}, ${r.scheme})`,
    `tensors: ${counts.quantized} quantized, ${counts.converted} converted, ${counts.kept} kept as they were`,
    `size: ${formatBytes(r.fileBytesIn)} → ${formatBytes(r.fileBytesOut)} (${((100 * r.fileBytesOut) / Math.max(1, r.fileBytesIn)).toFixed(1)}%) in ${r.seconds.toFixed(2)} s`,
  ];
  if (r.fileBytesOut > r.fileBytesIn) lines.push(`  note: the output is larger than the input (was the input already quantized, or mostly tensors that stay float?)`);
  // Tensors that fell back or stayed as they were, grouped by why, names shortened to a few.
  const groups = new Map<string, string[]>();
  for (const t of r.tensors) {
    if (t.note === undefined) continue;
    const why = t.action === 'quantized' ? `stored as ${t.to}, their rows (last dimension) not whole ${r.scheme} blocks` : /^rank [01]/.test(t.note) ? `${t.action === 'kept' ? 'kept as they were' : `converted to ${t.to}`} (rank 0 or 1)` : `${t.action === 'kept' ? 'kept as they were' : `converted to ${t.to}`}: ${t.note.replace(/^\d+ elements a row is odd/, 'an odd number of elements a row')}`;
    groups.set(why, [...(groups.get(why) ?? []), t.name]);
  }
  for (const [why, names] of groups) lines.push(`  ${plural(names.length, 'tensor')} ${why}: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', … (--json lists them)' : ''}`);
  return lines.join('\n');
}

/** ' (3 skipped, 53 as f16)': how a scheme's whole-file row was made, when not plainly. */
function schemeNotes(row: { skippedTensors: number; fallbacks: Record<string, number>; allFellBack: boolean }): string {
  const notes = Object.entries(row.fallbacks).map(([type, n]) => `${n} as ${type}`);
  if (row.skippedTensors) notes.unshift(`${row.skippedTensors} skipped`);
  return notes.length ? ` (${row.allFellBack ? 'all fell back: ' : ''}${notes.join(', ')})` : '';
}

function compareReport(r: CompareFileResult, top: number | undefined, sort: 'sqnr' | 'size' | 'file'): string {
  const reasons = new Map<string, number>();
  for (const l of r.left) {
    const why = /^rank/.test(l.why) ? 'rank < 2' : /^not a float/.test(l.why) ? 'not float' : /NaN or ±Inf/.test(l.why) ? 'NaN or ±Inf' : l.why;
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  const leftOut = r.left.length ? `, ${r.left.length} left out (${[...reasons].map(([why, n]) => `${n} ${why}`).join(', ')})` : '';
  const out: string[] = [`${r.file} (${r.format}): ${plural(r.tensors.length, 'tensor')} compared${leftOut}`];
  if (r.tensors.length === 0) {
    out.push('nothing to compare: schemes apply to float tensors of rank 2 or more (--quantize-1d for the others)');
    return out.join('\n');
  }
  out.push('', 'whole file, best SQNR first:');
  out.push(
    table(
      ['scheme', 'bits/elem', 'bytes', 'MSE', 'SQNR dB', 'max |err|', 'ms'],
      r.total.map((row) => [row.scheme + schemeNotes(row), row.bitsPerElement.toFixed(2), formatBytes(row.bytes), row.mse.toExponential(2), row.sqnrDb.toFixed(2), row.maxAbs.toPrecision(3), row.ms.toFixed(1)]),
      [false, true, true, true, true, true, true],
    ),
  );
  if (r.total.some((row) => row.allFellBack)) out.push('(all fell back: no tensor has rows of whole blocks of that ggml type, so the row measures the fallback type llama.cpp would store, not the scheme)');
  const stored = Object.entries(r.storedQuantized);
  if (stored.length) out.push(`note: ${stored.map(([kind, n]) => `${plural(n, 'tensor')} ${n === 1 ? 'is' : 'are'} stored as ${kind}`).join(', ')} already: the errors above come on top of what that quantization lost, and a scheme that matches it can look lossless`);
  const shown = top === undefined ? r.tensors : r.tensors.slice(0, top);
  if (shown.length === 0) return out.join('\n');
  out.push('', `per tensor, ${{ sqnr: 'lowest SQNR first', size: 'largest first', file: 'in file order' }[sort]}${shown.length < r.tensors.length ? ` (${shown.length} of ${r.tensors.length}; --top to change)` : ''}:`);
  for (const t of shown) {
    out.push('', `${t.name}  [${t.shape.join(', ')}] ${t.storedType}`);
    out.push(formatTable(t.rows.map((row) => (row.storedAs ? { ...row, scheme: `${row.scheme} (as ${row.storedAs})` } : row))));
  }
  return out.join('\n');
}

function count(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number (0 or more) but received ${JSON.stringify(v)}`);
  return n;
}

function svgPath(v: string): string {
  if (!/\.svg$/i.test(v) || v.length <= 4) throw new InvalidArgumentError(`expected a file name ending in .svg (the chart is SVG) but received ${JSON.stringify(v)}`);
  return v;
}

/** The command, ready to parse (exported for tests: `program(io).parseAsync(argv, { from: 'user' })`). */
export function program(io: Io = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) }): Command {
  const p = new Command('quantkit')
    .description('Inspect, quantize, dequantize and compare model files (safetensors, NumPy .npy/.npz, GGUF, tfjs) with quantkit, and quantize ONNX models.')
    .version(quantkit.backend.version, '-v, --version')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: () => undefined })
    .addHelpText('after', `\nWith no FILE, inspect and compare use a small real model shipped with quantkit:\n  ${DEFAULT_FILE}\n(PaddleOCR's text-direction classifier, Apache-2.0; see assets/README.md).\n\nExamples:\n  npx quantkit compare\n  npx quantkit inspect model.safetensors\n  npx quantkit quantize model.safetensors model-q4_k.gguf --scheme q4_k\n  npx quantkit quantize model.safetensors model-int8.safetensors --scheme int8-per-channel\n  npx quantkit dequantize model-q4_k.gguf model-f32.safetensors\n  npx quantkit quantize model.onnx model-int8.onnx --mode dynamic\n  npx quantkit quantize model.onnx model-q4.onnx --mode matmul-nbits --block-size 32\n  npx quantkit compare model.safetensors --schemes int8-per-channel,q4_k --chart sqnr.svg`);

  p.command('inspect')
    .description('List a file\'s format, metadata and tensors (dtype, shape, bytes); the format is detected from its content.')
    .argument('[file]', 'safetensors, .npy, .npz, .gguf, or tfjs model.json / weights manifest', DEFAULT_FILE)
    .option('--json', 'print JSON instead of a table')
    .action((file: string, o: { json?: boolean }) => inspect(file, o, io));

  const quantizeCommand = p.command('quantize')
    .description('Quantize a model file. OUT\'s extension picks the format: .gguf (ggml blocks), .safetensors (int8/int4 codes with scale and zero-point tensors), .json (tfjs weight quantization). An ONNX model (IN.onnx) is quantized into a model onnxruntime runs, with --mode (README "ONNX models").')
    .argument('<in>', 'input file (any format inspect reads, or an ONNX model)')
    .argument('<out>', 'output file; written to a temporary file and renamed at the end, never equal to IN')
    .addOption(new Option('-s, --scheme <scheme>', `tensor files (required for them): GGUF: ${SCHEMES.gguf.join(', ')}; safetensors: ${SCHEMES.safetensors.join(', ')}; tfjs: ${SCHEMES.tfjs.join(', ')}`))
    .addOption(new Option('--to <format>', 'output format when OUT\'s extension does not say').choices(['gguf', 'safetensors', 'tfjs']))
    .option('--include <glob>', 'only tensors whose name matches (repeatable)', collect)
    .option('--exclude <glob>', 'leave tensors whose name matches as they are (repeatable)', collect)
    .option('--quantize-1d', 'quantize rank-0/1 tensors too (norms and biases stay float by default)')
    .option('--metadata <key=value>', 'add a metadata entry (repeatable; numbers and true/false are typed)', parseMetadata)
    .option('--json', 'print the summary as JSON')
    .option('-q, --quiet', 'no progress and no summary');
  addOnnxOptions(quantizeCommand)
    .action(async (input: string, output: string, o: OnnxCliOptions & { scheme?: string; to?: 'gguf' | 'safetensors' | 'tfjs'; include?: string[]; exclude?: string[]; quantize1d?: boolean; metadata?: Record<string, string | number | boolean>; json?: boolean; quiet?: boolean }) => {
      if (isOnnxJob(input, o)) {
        if (o.scheme !== undefined) {
          throw new CommanderError(2, 'quantkit.schemeOnnx', /\.onnx$/i.test(input) ? '--scheme is for tensor files; ONNX models take --mode' : `--mode is for ONNX models (IN.onnx) and --scheme for tensor files: give one (IN is ${input})`);
        }
        const fileOnly = (['to', 'include', 'exclude', 'quantize1d', 'metadata'] as const).filter((k) => o[k] !== undefined);
        if (fileOnly.length) throw new CommanderError(2, 'quantkit.fileOption', `--${fileOnly[0] === 'quantize1d' ? 'quantize-1d' : fileOnly[0]} applies to tensor files, not to ONNX models (they take --exclude-op and --exclude-node)`);
        return quantizeOnnx(input, output, o, io.out);
      }
      const onnxOnly = (['perChannel', 'perTensor', 'weightType', 'activationType', 'blockSize', 'symmetric', 'asymmetric', 'reduceRange', 'calibration', 'method', 'percentile', 'accuracyLevel', 'keepFloat32Op', 'excludeOp', 'excludeNode', 'opset', 'externalData', 'bins', 'foldBatchNorm', 'externalDataDir'] as const).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
      if (onnxOnly.length) throw new CommanderError(2, 'quantkit.onnxOption', `--${onnxOnly[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to ONNX models (IN.onnx), not to ${input}`);
      if (o.float32Io === false) throw new CommanderError(2, 'quantkit.onnxOption', `--no-float32-io applies to ONNX models (IN.onnx), not to ${input}`);
      if (o.scheme === undefined) throw new CommanderError(2, 'commander.missingMandatoryOptionValue', "required option '-s, --scheme <scheme>' not specified");
      const scheme = o.scheme;
      const bar = startProgress('quantize', Boolean(o.quiet || o.json));
      try {
        const r = await quantizeFile(input, output, { scheme, to: o.to, include: o.include, exclude: o.exclude, quantize1d: o.quantize1d, metadata: o.metadata, onProgress: bar.update });
        bar.stop();
        if (o.json) io.out(JSON.stringify(r, jsonReplacer, 2));
        else if (!o.quiet) io.out(quantizeSummary(r));
      } finally {
        bar.stop();
      }
    });

  p.command('dequantize')
    .description('Any file inspect reads back to float32 (or float16) safetensors: ggml blocks, tfjs weight quantization and quantkit\'s int8/int4 layout are decoded; integer tensors are kept.')
    .argument('<in>', 'input file')
    .argument('<out>', 'output .safetensors file')
    .addOption(new Option('--dtype <dtype>', 'float type to write').choices(['f32', 'f16']).default('f32'))
    .option('--json', 'print the summary as JSON')
    .option('-q, --quiet', 'no progress and no summary')
    .action(async (input: string, output: string, o: { dtype: 'f32' | 'f16'; json?: boolean; quiet?: boolean }) => {
      const bar = startProgress('dequantize', Boolean(o.quiet || o.json));
      try {
        const r = await dequantizeFile(input, output, { dtype: o.dtype, onProgress: bar.update });
        bar.stop();
        if (o.json) io.out(JSON.stringify(r, jsonReplacer, 2));
        else if (!o.quiet) io.out(`${r.input} (${r.inputFormat}) → ${r.output} (safetensors, ${o.dtype}): ${r.tensors.length} tensors, ${formatBytes(fs.statSync(output).size)} in ${r.seconds.toFixed(2)} s`);
      } finally {
        bar.stop();
      }
    });

  p.command('compare')
    .description('How much each quantization scheme loses on every tensor and on the whole file: size, SQNR, MSE, max error; as a table, JSON, or an SVG chart.')
    .argument('[file]', 'file to compare (any format inspect reads)', DEFAULT_FILE)
    .option('--schemes <list>', `comma-separated schemes (default: ${FILE_SCHEMES.join(',')})`, (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .addOption(new Option('--calibration <method>', 'observer for the ranges').choices(['minmax', 'moving-average', 'percentile', 'entropy', 'mse']).default('minmax'))
    .option('--include <glob>', 'only tensors whose name matches (repeatable)', collect)
    .option('--exclude <glob>', 'leave out tensors whose name matches (repeatable)', collect)
    .option('--quantize-1d', 'compare rank-0/1 tensors too')
    .addOption(new Option('--sort <order>', 'order of the per-tensor tables').choices(['sqnr', 'size', 'file']).default('sqnr'))
    .option('--top <n>', 'print (and chart) only the first N tensors (0: the whole-file table alone)', count)
    .option('--chart <out.svg>', 'also draw SQNR per tensor per scheme as an SVG chart', svgPath)
    .option('--json', 'print JSON instead of tables')
    .option('-q, --quiet', 'no progress')
    .action(async (file: string, o: { schemes?: string[]; calibration: 'minmax'; include?: string[]; exclude?: string[]; quantize1d?: boolean; sort: 'sqnr' | 'size' | 'file'; top?: number; chart?: string; json?: boolean; quiet?: boolean }) => {
      const bar = startProgress('compare', Boolean(o.quiet || o.json));
      let r: CompareFileResult;
      try {
        r = await compareFile(file, { schemes: (o.schemes ?? FILE_SCHEMES) as never, calibration: o.calibration, include: o.include, exclude: o.exclude, quantize1d: o.quantize1d, sort: o.sort, onProgress: bar.update });
      } finally {
        bar.stop();
      }
      if (o.chart) {
        const svg = await renderChart(r, o.top);
        await writeAtomically(o.chart, [file], (w) => w.write(Buffer.from(svg)));
      }
      if (o.json) io.out(JSON.stringify(r, jsonReplacer, 2));
      else io.out(compareReport(r, o.top, o.sort) + (o.chart ? `\n\nchart: ${o.chart}` : ''));
    });
  return p;
}

/**
 * Runs the command on process.argv. Every error prints one `quantkit: message` line on stderr
 * (usage errors add where to read more) and sets exit status 1 (2 for usage errors); a closed
 * stdout (`quantkit inspect | head`) ends the run quietly.
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const p = program();
  p.exitOverride();
  for (const c of p.commands) c.exitOverride();
  // Ctrl-C / SIGTERM: the progress bar gives the terminal its cursor back, one line says what
  // happened, and the exit runs the temporary files' removal (lib/io/file.ts).
  const interrupted = (signal: NodeJS.Signals) => {
    activeBar?.stop();
    process.stderr.write(`\nquantkit: interrupted by ${signal}; no partial output was left\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const args = argv.slice(2);
    if (args.length === 0) {
      p.outputHelp();
      return;
    }
    if (args[0] === 'help' && args[1] !== undefined && !p.commands.some((c) => c.name() === args[1])) {
      throw new CommanderError(2, 'quantkit.unknownCommand', `unknown command '${args[1]}' (the commands: ${p.commands.map((c) => c.name()).join(', ')})`);
    }
    await p.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        process.exitCode = 0;
        return;
      }
      const command = argv.slice(2).find((a) => p.commands.some((c) => c.name() === a));
      process.stderr.write(`quantkit: ${e.message.replace(/^error: /, '')}\n(see: quantkit help${command ? ` ${command}` : ''})\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`quantkit: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
