'use strict';
// Number formatting and a plain-text table; nothing here knows what is being measured.

/** 1.23 µs, 45.6 µs, 789 µs, 12.3 ms, 1.23 s: three significant digits. */
function formatTime(ns) {
  if (!Number.isFinite(ns)) return '—';
  const units = [
    [1e9, 's'],
    [1e6, 'ms'],
    [1e3, 'µs'],
    [1, 'ns'],
  ];
  for (const [scale, unit] of units) {
    if (ns >= scale || unit === 'ns') {
      const v = ns / scale;
      return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`;
    }
  }
  return '—';
}

/** 2.5×, 31×, 0.62× */
function formatRatio(r) {
  if (!Number.isFinite(r)) return '—';
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** 1024 → 1K, 16777216 → 16M, 1000 → 1000 */
function sizeLabel(n) {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)}M`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)}K`;
  return String(n);
}

/** '1K' → 1024, '16M' → 16777216, '1000' → 1000 (binary prefixes, as the sizes are). */
function parseSize(s) {
  const m = /^(\d+)([kKmM]?)$/.exec(String(s).trim());
  if (!m) throw new RangeError(`Expected a size like 1024, 64K or 16M but received '${s}'`);
  const n = Number(m[1]) * (m[2] === '' ? 1 : m[2].toLowerCase() === 'k' ? 1 << 10 : 1 << 20);
  if (n < 1) throw new RangeError(`Expected a positive size but received '${s}'`);
  return n;
}

// Terminal width of a string: the characters used here (µ, ×, ✓, ✗, ÷, —) are one column each.
const width = (s) => [...s].length;
const padStart = (s, w) => ' '.repeat(Math.max(0, w - width(s))) + s;
const padEnd = (s, w) => s + ' '.repeat(Math.max(0, w - width(s)));

/**
 * columns: [{ title, align: 'left' | 'right' }], rows: string[][], separators: column
 * indices after which a '│' is drawn.
 */
function renderTable(columns, rows, separators = []) {
  const widths = columns.map((c, i) => Math.max(width(c.title), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells) =>
    cells
      .map((cell, i) => {
        const s = columns[i].align === 'left' ? padEnd(cell ?? '', widths[i]) : padStart(cell ?? '', widths[i]);
        return separators.includes(i - 1) ? `│ ${s}` : s;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w, i) => (separators.includes(i - 1) ? '┼─' : '') + '─'.repeat(w)).join('──');
  return [line(columns.map((c) => c.title)), rule, ...rows.map(line)].join('\n');
}

module.exports = { formatTime, formatRatio, sizeLabel, parseSize, renderTable };
