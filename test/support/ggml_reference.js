'use strict';
// An independent statement of ggml's reference row quantizers for Q5_0, Q5_1, Q4_K, Q5_K and
// Q6_K (quantize_row_*_ref and dequantize_row_* in ggml-quants.c, with make_qkx2_quants,
// make_qx_quants, nearest_int and get_scale_min_k4), for the tests only: plain arrays of
// numbers, float32 arithmetic spelled as add/sub/mul/div (each one rounding), its own
// float16 rounding and a DataView block writer. It imports nothing from lib/ or dist/.
//
// Checked once against a prebuilt libggml-base (llama.cpp, x86-64 baseline build, no FMA)
// on random and edge-case rows: the same bytes for every type.

const F = Math.fround;
const add = (a, b) => F(a + b);
const sub = (a, b) => F(a - b);
const mul = (a, b) => F(a * b);
const div = (a, b) => F(a / b);

// ---- float16: round to nearest, ties to even, by arithmetic ---------------------------------
const TIE_EVEN = 6755399441055744; // 1.5 · 2^52
const rne = (v) => v + TIE_EVEN - TIE_EVEN; // 0 <= v < 2^51

function refHalf(v) {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return sign | 0x7c00; // rounds past the largest finite 65504 (or is Inf)
  if (a < 2 ** -14) return sign | rne(a * 2 ** 24); // subnormal; 1024 is the smallest normal's code
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  let m = rne((a / 2 ** e) * 1024);
  if (m === 2048) {
    m = 1024;
    e++;
  }
  return sign | ((e + 15) << 10) | (m - 1024);
}

function refHalfValue(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 31;
  const m = h & 1023;
  if (e === 31) return m ? NaN : s * Infinity;
  return e === 0 ? s * m * 2 ** -24 : s * (1 + m / 1024) * 2 ** (e - 15);
}

// ---- nearest_int: v + 1.5·2^23 in float32, the integer read back from the mantissa bits -------
const scratch = new DataView(new ArrayBuffer(4));
function nearestInt(v) {
  scratch.setFloat32(0, add(v, 12582912));
  return (scratch.getInt32(0) & 0x7fffff) - 0x400000;
}

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
// C's float -> integer conversion where it is undefined (NaN, ±Inf, huge): quantkit's rule is 0.
const truncInt = (v) => (Number.isFinite(v) && Math.abs(v) < 2 ** 30 ? Math.trunc(v) : 0);

// ---- Q5_0 and Q5_1 -------------------------------------------------------------------------
function q5Block(view, at, b, withMin) {
  let d;
  let min = 0;
  let codes;
  if (!withMin) {
    let amax = 0;
    let max = 0;
    for (const v of b) if (amax < Math.abs(v)) [amax, max] = [Math.abs(v), v];
    d = div(max, -16);
    const id = d !== 0 ? div(1, d) : 0;
    codes = b.map((v) => Math.min(31, truncInt(add(mul(v, id), 16.5))) & 0xff);
  } else {
    min = 3.4028234663852886e38;
    let max = -min;
    for (const v of b) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    d = div(sub(max, min), 31);
    const id = d !== 0 ? div(1, d) : 0;
    codes = b.map((v) => truncInt(add(mul(sub(v, min), id), 0.5)) & 0xff);
  }
  view.setUint16(at, refHalf(d), true);
  if (withMin) view.setUint16(at + 2, refHalf(min), true);
  const qhAt = withMin ? at + 4 : at + 2;
  let qh = 0;
  for (let j = 0; j < 16; j++) {
    view.setUint8(qhAt + 4 + j, (codes[j] % 16) + 16 * (codes[j + 16] % 16));
    if (codes[j] & 16) qh += 2 ** j;
    if (codes[j + 16] & 16) qh += 2 ** (j + 16);
  }
  view.setUint32(qhAt, qh, true);
}

// ---- make_qkx2_quants (use_mad false) --------------------------------------------------------
function makeQkx2(x, w, nmax, rmin, rdelta, nstep) {
  const n = x.length;
  let min = x[0];
  let max = x[0];
  let sumW = w[0];
  let sumX = mul(sumW, x[0]);
  for (let i = 1; i < n; i++) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    sumW = add(sumW, w[i]);
    sumX = add(sumX, mul(w[i], x[i]));
  }
  if (min > 0) min = 0;
  if (max === min) return { scale: 0, negMin: -min, L: new Array(n).fill(0) };
  let iscale = div(nmax, sub(max, min));
  let scale = div(1, iscale);
  let L = x.map((v) => clamp(nearestInt(mul(iscale, sub(v, min))), 0, nmax));
  const error = (s, m, codes) => {
    let e = 0;
    for (let i = 0; i < n; i++) {
      const diff = sub(add(mul(s, codes[i]), m), x[i]);
      e = add(e, mul(w[i], mul(diff, diff)));
    }
    return e;
  };
  let best = error(scale, min, L);
  for (let is = 0; is <= nstep; is++) {
    // ggml divides by max − min with the current min, which the winning trials move.
    iscale = div(add(add(rmin, mul(rdelta, is)), nmax), sub(max, min));
    const laux = x.map((v) => clamp(nearestInt(mul(iscale, sub(v, min))), 0, nmax));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      sumL = add(sumL, mul(w[i], laux[i]));
      sumL2 = add(sumL2, mul(mul(w[i], laux[i]), laux[i]));
      sumXL = add(sumXL, mul(mul(w[i], laux[i]), x[i]));
    }
    const D = sub(mul(sumW, sumL2), mul(sumL, sumL));
    if (!(D > 0)) continue;
    let s = div(sub(mul(sumW, sumXL), mul(sumX, sumL)), D);
    let m = div(sub(mul(sumL2, sumX), mul(sumL, sumXL)), D);
    if (m > 0) {
      m = 0;
      s = div(sumXL, sumL2);
    }
    const e = error(s, m, laux);
    if (e < best) {
      L = laux;
      best = e;
      scale = s;
      min = m;
    }
  }
  return { scale, negMin: -min, L };
}

function scaleMinK4(j, q) {
  if (j < 4) return [q[j] & 63, q[j + 4] & 63];
  return [(q[j + 4] & 0xf) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4)];
}

/** Q4_K (nmax 15) and Q5_K (nmax 31): d, dmin, the 12 scale bytes, and the 256 codes. */
function kScalesMins(x, nmax, rmin, nstep) {
  const subs = [];
  for (let j = 0; j < 8; j++) {
    const xs = x.slice(32 * j, 32 * j + 32);
    let sumX2 = 0;
    for (const v of xs) sumX2 = add(sumX2, mul(v, v));
    const avX = F(Math.sqrt(div(sumX2, 32)));
    subs.push(makeQkx2(xs, xs.map((v) => add(avX, Math.abs(v))), nmax, rmin, F(0.1), nstep));
  }
  let maxScale = 0;
  let maxMin = 0;
  for (const s of subs) {
    if (s.scale > maxScale) maxScale = s.scale;
    if (s.negMin > maxMin) maxMin = s.negMin;
  }
  const invScale = maxScale > 0 ? div(63, maxScale) : 0;
  const invMin = maxMin > 0 ? div(63, maxMin) : 0;
  const packed = new Array(12).fill(0);
  subs.forEach((s, j) => {
    const ls = Math.min(63, nearestInt(mul(invScale, s.scale)) & 0xff);
    const lm = Math.min(63, nearestInt(mul(invMin, s.negMin)) & 0xff);
    if (j < 4) {
      packed[j] = ls;
      packed[j + 4] = lm;
    } else {
      packed[j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
      packed[j - 4] |= (ls >> 4) << 6;
      packed[j] |= (lm >> 4) << 6;
    }
  });
  const dBits = refHalf(div(maxScale, 63));
  const dminBits = refHalf(div(maxMin, 63));
  const L = subs.flatMap((s) => s.L);
  for (let j = 0; j < 8; j++) {
    const [sc, m] = scaleMinK4(j, packed);
    const d = mul(refHalfValue(dBits), sc);
    if (d === 0) continue; // `if (!d) continue;` (a NaN d goes on)
    const dm = mul(refHalfValue(dminBits), m);
    for (let i = 32 * j; i < 32 * j + 32; i++) L[i] = clamp(nearestInt(div(add(x[i], dm), d)), 0, nmax);
  }
  return { dBits, dminBits, packed, L };
}

function q4kBlock(view, at, x) {
  const { dBits, dminBits, packed, L } = kScalesMins(x, 15, -1, 20);
  view.setUint16(at, dBits, true);
  view.setUint16(at + 2, dminBits, true);
  packed.forEach((v, i) => view.setUint8(at + 4 + i, v));
  for (let g = 0; g < 4; g++) {
    for (let l = 0; l < 32; l++) view.setUint8(at + 16 + 32 * g + l, L[64 * g + l] + 16 * L[64 * g + 32 + l]);
  }
}

function q5kBlock(view, at, x) {
  const { dBits, dminBits, packed, L } = kScalesMins(x, 31, -0.5, 15);
  view.setUint16(at, dBits, true);
  view.setUint16(at + 2, dminBits, true);
  packed.forEach((v, i) => view.setUint8(at + 4 + i, v));
  for (let l = 0; l < 32; l++) {
    let h = 0;
    for (let g = 0; g < 4; g++) {
      const lo = L[64 * g + l];
      const hi = L[64 * g + 32 + l];
      if (lo > 15) h |= 1 << (2 * g);
      if (hi > 15) h |= 2 << (2 * g);
      view.setUint8(at + 48 + 32 * g + l, (lo & 15) | ((hi & 15) << 4));
    }
    view.setUint8(at + 16 + l, h);
  }
}

// ---- make_qx_quants (rmse_type 1: weights x², no quant weights) -----------------------------
function makeQx(x, nmax) {
  let max = 0;
  let amax = 0;
  for (const v of x) if (Math.abs(v) > amax) [amax, max] = [Math.abs(v), v];
  if (amax < F(1e-15)) return { scale: 0, L: x.map(() => 0) };
  const codesFor = (iscale) => x.map((v) => clamp(nearestInt(mul(iscale, v)), -nmax, nmax - 1));
  const sums = (codes) => {
    let sumlx = 0;
    let suml2 = 0;
    x.forEach((v, i) => {
      const w = mul(v, v);
      sumlx = add(sumlx, mul(mul(w, v), codes[i]));
      suml2 = add(suml2, mul(mul(w, codes[i]), codes[i]));
    });
    return [sumlx, suml2];
  };
  let codes = codesFor(div(-nmax, max));
  let [sumlx, suml2] = sums(codes);
  let scale = suml2 !== 0 ? div(sumlx, suml2) : 0; // C's `suml2 ? … : 0` (NaN is true)
  let best = mul(scale, sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    const trial = codesFor(div(-add(nmax, mul(F(0.1), is)), max));
    [sumlx, suml2] = sums(trial);
    if (suml2 > 0 && mul(sumlx, sumlx) > mul(best, suml2)) {
      codes = trial;
      scale = div(sumlx, suml2);
      best = mul(scale, sumlx);
    }
  }
  return { scale, L: codes.map((l) => l + nmax) };
}

function q6kBlock(view, at, x) {
  const subs = [];
  for (let ib = 0; ib < 16; ib++) subs.push(makeQx(x.slice(16 * ib, 16 * ib + 16), 32));
  let maxScale = 0;
  let maxAbs = 0;
  for (const s of subs) if (Math.abs(s.scale) > maxAbs) [maxAbs, maxScale] = [Math.abs(s.scale), s.scale];
  if (maxAbs < F(1e-15)) return; // the whole block stays zero (d = +0 too)
  const iscale = div(-128, maxScale);
  const dBits = refHalf(div(1, iscale));
  view.setUint16(at + 208, dBits, true);
  const scales = subs.map((s) => ((Math.min(127, nearestInt(mul(iscale, s.scale))) & 0xff) << 24) >> 24);
  scales.forEach((v, i) => view.setInt8(at + 192 + i, v));
  const L = subs.flatMap((s) => s.L);
  for (let j = 0; j < 16; j++) {
    const d = mul(refHalfValue(dBits), scales[j]);
    if (d === 0) continue;
    for (let i = 16 * j; i < 16 * j + 16; i++) L[i] = clamp(nearestInt(div(x[i], d)), -32, 31) + 32;
  }
  for (let h = 0; h < 2; h++) {
    for (let l = 0; l < 32; l++) {
      const [q1, q2, q3, q4] = [0, 32, 64, 96].map((k) => L[128 * h + k + l]);
      view.setUint8(at + 64 * h + l, (q1 & 15) | ((q3 & 15) << 4));
      view.setUint8(at + 64 * h + l + 32, (q2 & 15) | ((q4 & 15) << 4));
      view.setUint8(at + 128 + 32 * h + l, (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
    }
  }
}

const TYPES = {
  q5_0: { elements: 32, bytes: 22, quantize: (v, at, b) => q5Block(v, at, b, false) },
  q5_1: { elements: 32, bytes: 24, quantize: (v, at, b) => q5Block(v, at, b, true) },
  q4_k: { elements: 256, bytes: 144, quantize: q4kBlock },
  q5_k: { elements: 256, bytes: 176, quantize: q5kBlock },
  q6_k: { elements: 256, bytes: 210, quantize: q6kBlock },
};

/** The bytes ggml's quantize_row_<type>_ref writes for x (its values read as float32). */
function refQuantize(x, type) {
  const t = TYPES[type];
  const nb = x.length / t.elements;
  const out = new Uint8Array(nb * t.bytes);
  const view = new DataView(out.buffer);
  for (let i = 0; i < nb; i++) {
    const b = Array.from(x.subarray(i * t.elements, (i + 1) * t.elements), F);
    t.quantize(view, i * t.bytes, b);
  }
  return out;
}

/** The floats ggml's dequantize_row_<type> gives for bytes (NaN where a scale is Inf or NaN). */
function refDequantize(bytes, type) {
  const t = TYPES[type];
  const nb = bytes.length / t.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const half = (at) => refHalfValue(view.getUint16(at, true));
  const out = [];
  for (let i = 0; i < nb; i++) {
    const at = i * t.bytes;
    if (type === 'q5_0' || type === 'q5_1') {
      const one = type === 'q5_1';
      const d = half(at);
      const m = one ? half(at + 2) : 0;
      const qh = view.getUint32(one ? at + 4 : at + 2, true);
      const qs = one ? at + 8 : at + 6;
      const codes = [];
      for (let j = 0; j < 32; j++) {
        const byte = view.getUint8(qs + (j % 16));
        const nib = j < 16 ? byte % 16 : Math.floor(byte / 16);
        codes.push(nib + (Math.floor(qh / 2 ** j) % 2) * 16);
      }
      for (const q of codes) out.push(one ? add(mul(q, d), m) : mul(q - 16, d));
    } else if (type === 'q6_k') {
      const d = half(at + 208);
      const block = new Array(256);
      for (let h = 0; h < 2; h++) {
        for (let l = 0; l < 32; l++) {
          const qh = view.getUint8(at + 128 + 32 * h + l);
          const lo = view.getUint8(at + 64 * h + l);
          const hi = view.getUint8(at + 64 * h + 32 + l);
          const q = [lo & 15, hi & 15, lo >> 4, hi >> 4].map((v, k) => (v | (((qh >> (2 * k)) & 3) << 4)) - 32);
          q.forEach((v, k) => {
            const e = 128 * h + 32 * k + l;
            block[e] = mul(mul(d, view.getInt8(at + 192 + Math.floor(e / 16))), v);
          });
        }
      }
      out.push(...block);
    } else {
      const five = type === 'q5_k';
      const d = half(at);
      const dmin = half(at + 2);
      const packed = Array.from({ length: 12 }, (_, k) => view.getUint8(at + 4 + k));
      for (let e = 0; e < 256; e++) {
        const g = Math.floor(e / 64);
        const l = e % 32;
        const high = e % 64 >= 32;
        const byte = view.getUint8(at + (five ? 48 : 16) + 32 * g + l);
        let q = high ? byte >> 4 : byte & 15;
        if (five && view.getUint8(at + 16 + l) & (1 << (2 * g + (high ? 1 : 0)))) q += 16;
        const [sc, m] = scaleMinK4(2 * g + (high ? 1 : 0), packed);
        out.push(sub(mul(mul(d, sc), q), mul(dmin, m)));
      }
    }
  }
  return out;
}

module.exports = { TYPES, refHalf, refHalfValue, nearestInt, refQuantize, refDequantize };
