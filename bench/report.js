'use strict';
// From the workers' numbers to the printed report: the main table, the issue's targets,
// the optional extra contenders, and the verification summary.

const { formatTime, formatRatio, sizeLabel, renderTable } = require('./format');

const K = 1 << 10;
const M = 1 << 20;

/** The columns that compare contenders; each is a ratio of two medians. */
const RATIOS = {
  vsOrt: { title: 'vs ORT', of: ['ort', 'native'], note: 'ORT time ÷ native time (higher: native faster)' },
  vsTs: { title: 'vs TS', of: ['fallback', 'native'], note: 'TS-backend time ÷ native time' },
  perCopy: { title: '÷ copy', of: ['native', 'copy'], note: 'native time ÷ Float32Array#set time (lower is better; 1 = as fast as a copy)' },
  tsVsNotebook: { title: 'TS vs nb', of: ['notebook', 'fallback'], note: 'notebook-loop time ÷ TS-backend time' },
};

/**
 * The issue's targets. They are shown, never enforced: the bench does not fail on them.
 * "TS ≥ 2× the notebook loop at 64K" is read as the quantize loop, the one the notebook
 * writes; the other ops' TS-vs-notebook ratios are printed without a target.
 */
const TARGETS = [
  { op: 'quantize', n: 1 * K, ratio: 'vsOrt', atLeast: 30 },
  { op: 'quantize', n: 64 * K, ratio: 'vsOrt', atLeast: 4 },
  { op: 'quantize', n: 64 * K, ratio: 'vsTs', atLeast: 10 },
  { op: 'quantize', n: 16 * M, ratio: 'perCopy', atMost: 0.75 },
  { op: 'dequantize', n: 64 * K, ratio: 'vsOrt', atLeast: 4 },
  { op: 'dequantize', n: 16 * M, ratio: 'perCopy', atMost: 1.1 },
  { op: 'dynamic', n: 64 * K, ratio: 'vsOrt', atLeast: 2.5 },
  { op: 'dynamic', n: 16 * M, ratio: 'perCopy', atMost: 1.1 },
  { op: 'quantize', n: 64 * K, ratio: 'tsVsNotebook', atLeast: 2 },
];

const MAIN = ['native', 'fallback', 'notebook', 'ort', 'copy'];
const SHORT = { native: 'native', fallback: 'TS', notebook: 'notebook', ort: 'ORT', copy: 'copy' };

/** Extras compare with the main contender they vary. */
function baselineOf(id) {
  if (id.startsWith('native')) return 'native';
  if (id.startsWith('fallback')) return 'fallback';
  if (id.startsWith('ort')) return 'ort';
  return undefined;
}

/** runs: { [contenderId]: { label, exact, info, error?, results: [...] } } → lookups. */
function indexResults(runs) {
  const cell = (id, op, n) => {
    const run = runs[id];
    if (!run) return { state: 'absent' };
    if (run.error) return { state: 'failed', error: run.error };
    const r = run.results.find((e) => e.n === n && e.op === (id === 'copy' ? 'copy' : op));
    if (!r) return { state: 'absent' };
    if (r.error) return { state: 'failed', error: r.error };
    if (r.skipped) return { state: 'wrong', result: r };
    return { state: 'ok', result: r, ns: r.timing.medianNs };
  };
  const ns = (id, op, n) => {
    const c = cell(id, op, n);
    return c.state === 'ok' ? c.ns : NaN;
  };
  return { cell, ns };
}

function ratioValue(idx, key, op, n) {
  const [a, b] = RATIOS[key].of;
  return idx.ns(a, op, n) / idx.ns(b, op, n);
}

function targetCheck(t, value) {
  if (!Number.isFinite(value)) return undefined;
  return t.atLeast !== undefined ? value >= t.atLeast : value <= t.atMost;
}

function targetText(t) {
  return t.atLeast !== undefined ? `≥ ${t.atLeast}×` : `≤ ${t.atMost}×`;
}

/** Pass medians further apart than this are flagged: the process, not the code, decided. */
const SPREAD_WARN = 1.25;

function timeCell(c) {
  switch (c.state) {
    case 'ok': return formatTime(c.ns) + (c.result.timing.spread > SPREAD_WARN ? '†' : '');
    case 'wrong': return 'WRONG';
    case 'failed': return 'failed';
    default: return '—';
  }
}

function mainTable(idx, ops, sizes) {
  const columns = [
    { title: 'op', align: 'left' },
    { title: 'size', align: 'right' },
    ...MAIN.map((id) => ({ title: SHORT[id], align: 'right' })),
    ...Object.values(RATIOS).map((r) => ({ title: r.title, align: 'right' })),
  ];
  const rows = [];
  for (const op of ops) {
    for (const n of sizes) {
      const row = [op, sizeLabel(n), ...MAIN.map((id) => timeCell(idx.cell(id, op, n)))];
      for (const key of Object.keys(RATIOS)) {
        const v = ratioValue(idx, key, op, n);
        const t = TARGETS.find((x) => x.op === op && x.n === n && x.ratio === key);
        const met = t ? targetCheck(t, v) : undefined;
        row.push(formatRatio(v) + (met === undefined ? '  ' : met ? ' ✓' : ' ✗'));
      }
      rows.push(row);
    }
  }
  return renderTable(columns, rows, [1, 1 + MAIN.length]);
}

function targetsList(idx) {
  return TARGETS.map((t) => {
    const v = ratioValue(idx, t.ratio, t.op, t.n);
    const met = targetCheck(t, v);
    const mark = met === undefined ? '·' : met ? '✓' : '✗';
    const value = met === undefined ? 'not measured' : formatRatio(v);
    return { ...t, value: Number.isFinite(v) ? v : null, met: met ?? null, line: `  ${mark} ${t.op} ${sizeLabel(t.n)}: ${RATIOS[t.ratio].title} ${targetText(t)}: ${value}` };
  });
}

const EXTRA_SHORT = { 'native-raw': 'addon only', 'fallback-poly': 'TS poly', 'ort-1t': 'ORT 1 thread' };
const extraTitle = (id) => EXTRA_SHORT[id] ?? id;

/** One column per extra contender: its time and, in brackets, that time ÷ its baseline's. */
function extrasTable(idx, runs, extras, ops, sizes) {
  const columns = [{ title: 'op', align: 'left' }, { title: 'size', align: 'right' }];
  for (const id of extras) {
    columns.push({ title: extraTitle(id), align: 'right' });
    if (id === 'native-raw') columns.push({ title: 'facade Δ', align: 'right' });
  }
  const rows = [];
  for (const op of ops) {
    for (const n of sizes) {
      const row = [op, sizeLabel(n)];
      for (const id of extras) {
        const c = idx.cell(id, op, n);
        const r = idx.ns(id, op, n) / idx.ns(baselineOf(id), op, n);
        row.push(`${timeCell(c)} (${formatRatio(r)})`);
        if (id === 'native-raw') {
          const d = idx.ns('native', op, n) - idx.ns(id, op, n);
          row.push(Number.isFinite(d) ? (d < 0 ? `−${formatTime(-d)}` : formatTime(d)) : '—');
        }
      }
      rows.push(row);
    }
  }
  const legend = extras.map((id) => `  ${extraTitle(id).padEnd(14)} ${runs[id]?.label ?? id}; (×) = its time ÷ ${SHORT[baselineOf(id)]}'s`);
  if (extras.includes('native-raw')) legend.push(`  ${'facade Δ'.padEnd(14)} native − addon only: what the TypeScript facade adds per call`);
  return `${renderTable(columns, rows, [1])}\n\n${legend.join('\n')}`;
}

function describeMismatch(v) {
  if (v.equal) return 'identical';
  const parts = [];
  if (v.shape) return `shape ${v.shape}`;
  if (v.mismatches) parts.push(`${v.mismatches.toLocaleString('en-US')} elements differ (max |Δ| ${+v.maxAbsDiff.toPrecision(3)})`);
  else parts.push('data identical');
  if (v.scale && !Object.is(v.scale.actual, v.scale.expected)) parts.push(`scale ${v.scale.actual} vs ${v.scale.expected}`);
  if (v.zeroPoint && !Object.is(v.zeroPoint.actual, v.zeroPoint.expected)) parts.push(`zero point ${v.zeroPoint.actual} vs ${v.zeroPoint.expected}`);
  if (v.differingVariants !== undefined) parts.push(`in ${v.differingVariants} of the ${v.variants} tensors`);
  return parts.join(', ');
}

/** One line per contender, or per differing case. Returns { lines, failed }. */
function verificationSummary(runs, order) {
  const lines = [];
  let failed = false;
  const width = Math.max(...order.map((id) => (runs[id]?.label ?? id).length));
  for (const id of order) {
    const run = runs[id];
    if (!run) continue;
    const name = (run.label ?? id).padEnd(width);
    if (run.error) {
      lines.push(`  ✗ ${name} did not run: ${run.error}`);
      failed = true;
      continue;
    }
    const broken = run.results.filter((r) => r.error);
    const differing = run.results.filter((r) => r.verified && !r.verified.equal);
    const unstable = run.results.filter((r) => r.sameAfterTiming === false);
    const what = id === 'copy' ? 'equal to its input' : 'bit-identical to onnxruntime-node';
    if (broken.length > 0) {
      failed = true;
      lines.push(`  ✗ ${name} failed in ${broken.length} cases:`);
      for (const r of broken) lines.push(`      ${r.op} ${sizeLabel(r.n)}: ${r.error}`);
      if (differing.length === 0 && unstable.length === 0) continue;
    }
    if (differing.length === 0 && unstable.length === 0) {
      lines.push(`  ✓ ${name} ${what} in all ${run.results.length} cases, before and after timing`);
      continue;
    }
    const mark = run.exact ? '✗' : '·';
    if (run.exact) failed = true;
    lines.push(`  ${mark} ${name} ${run.exact ? 'DIFFERS from onnxruntime-node (not timed where it differs):' : 'differs, as expected:'}`);
    for (const r of differing) lines.push(`      ${r.op} ${sizeLabel(r.n)}: ${describeMismatch(r.verified)}`);
    for (const r of unstable) {
      lines.push(`      ${r.op} ${sizeLabel(r.n)}: the timed calls' output is not the verified one`);
      failed = true;
    }
  }
  return { lines, failed };
}

/** Remarks about single cases: the copy's placement probe, processes that disagreed. */
function notesList(runs, order) {
  const lines = [];
  for (const id of order) {
    for (const r of runs[id]?.results ?? []) {
      const where = `${runs[id].label} ${r.op} ${sizeLabel(r.n)}`;
      if (r.note) lines.push(`  ${where}: ${r.note}`);
      if (r.timing?.spread > SPREAD_WARN) {
        lines.push(`  † ${where}: the processes disagreed, medians ${r.timing.passMediansNs.map(formatTime).join(' / ')}`);
      }
    }
  }
  return lines;
}

module.exports = { RATIOS, TARGETS, MAIN, indexResults, ratioValue, mainTable, targetsList, extrasTable, verificationSummary, notesList };
