#!/usr/bin/env node
// Preprocessing, side by side in one run (README "Preprocessing" and "Embeddings"):
//  - images -> normalized NCHW float32 (ImageNet mean / std): quantkit's imageToTensor; the
//    same conversion the way transformers.js apps do it (@huggingface/transformers'
//    ImageProcessor on a RawImage: its RGBA -> RGB, rescale, normalize and HWC -> CHW steps,
//    no resize); the copy floor (Float32Array#set of a tensor of the output's size). One
//    224 × 224 RGBA image, a batch of 32 (quantkit fills one batch tensor through out +
//    offset), one 4096 × 4096 image.
//  - 100k × 768 float32 embeddings -> int8 and binary codes: quantizeEmbeddings; a plain
//    JavaScript loop computing the same codes; the copy floor of the input.
// Medians of repeated runs; the outputs of each pair are compared before timing. Speed is
// shown here, never asserted in tests.
//   node bench/preprocess.js [--quick]
'use strict';
const os = require('node:os');
const assert = require('node:assert/strict');
const qk = require('..');
const { ImageProcessor, RawImage } = require('@huggingface/transformers');
const { prng } = require('../test/support/data');

const quick = process.argv.includes('--quick');
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

async function median(fn, reps) {
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(reps / 2)];
}

/** Median ns of one call, timing batches of `inner` calls (short calls need batching). */
async function medianOf(fn, oneCallNs) {
  const inner = Math.max(1, Math.round(2e7 / Math.max(oneCallNs, 1)));
  const reps = oneCallNs > 2e8 ? 5 : 11;
  return (await median(async () => { for (let i = 0; i < inner; i++) await fn(); }, reps)) / inner;
}

async function time(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return medianOf(fn, Number(process.hrtime.bigint() - t0));
}

const ms = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(ns >= 1e8 ? 0 : 2)} ms` : `${(ns / 1e3).toFixed(1)} µs`);
const gbs = (bytes, ns) => `${(bytes / ns).toFixed(2)} GB/s`;
const ratio = (a, b) => `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`;

function pixels(n, seed) {
  const r = prng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

async function images() {
  const processor = new ImageProcessor({ do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: MEAN, image_std: STD });
  const opts = (w, h) => ({ width: w, height: h, channels: 4, mean: MEAN, std: STD, convention: 'transformers.js' });
  console.log('\n### RGBA -> normalized NCHW float32 (ImageNet mean / std)\n');
  console.log('| case | quantkit imageToTensor | transformers.js ImageProcessor | copy floor (output size) | vs transformers.js | vs copy floor |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  const cases = [['one 224 × 224 image', 224, 224, 1], ['a batch of 32 224 × 224 images', 224, 224, 32]];
  if (!quick) cases.push(['one 4096 × 4096 image', 4096, 4096, 1]);
  for (const [name, w, h, count] of cases) {
    const px = Array.from({ length: Math.min(count, 4) }, (_, i) => pixels(w * h * 4, i + 1));
    const raws = Array.from({ length: count }, (_, i) => new RawImage(Uint8ClampedArray.from(px[i % px.length]), w, h, 4));
    const size = 3 * w * h;
    const out = new Float32Array(size * count);
    const src = new Float32Array(size * count).fill(0.5);
    const copy = new Float32Array(size * count);
    const ours = () => { for (let i = 0; i < count; i++) qk.imageToTensor(px[i % px.length], { ...opts(w, h), offset: i * size }, out); };
    const theirs = () => processor(count === 1 ? raws[0] : raws);
    // Same bits before timing.
    ours();
    const reference = (await theirs()).pixel_values.data;
    assert.deepEqual(new Uint32Array(out.buffer), new Uint32Array(reference.buffer, reference.byteOffset, reference.length));
    const a = await time(ours);
    const b = await time(theirs);
    const c = await time(() => copy.set(src));
    console.log(`| ${name} | ${ms(a)} (${gbs(size * count * 4, a)}) | ${ms(b)} | ${ms(c)} (${gbs(size * count * 4, c)}) | ${ratio(b, a)} faster | ${ratio(a, c)} |`);
  }
}

function jsInt8(x, out, dim, min, step) {
  for (let i = 0; i < x.length; i++) {
    const d = i % dim;
    let t = Math.fround(Math.fround(x[i] - min[d]) / step[d]);
    if (!(t > 0)) t = 0;
    if (t > 255) t = 255;
    let q = Math.floor(t);
    const r = t - q;
    if (r > 0.5 || (r === 0.5 && (q & 1) === 1)) q++;
    out[i] = q - 128;
  }
}

function jsBinary(x, out, dim) {
  const rowBytes = Math.ceil(dim / 8);
  for (let row = 0; row * dim < x.length; row++) {
    for (let d = 0; d < dim; d += 8) {
      let byte = 0;
      for (let k = 0; k < 8 && d + k < dim; k++) if (x[row * dim + d + k] > 0) byte |= 0x80 >> k;
      out[row * rowBytes + (d >> 3)] = byte;
    }
  }
}

async function embeddings() {
  const rows = quick ? 10000 : 100000, dim = 768;
  console.log(`\n### ${rows} × ${dim} float32 embeddings\n`);
  const r = prng(7);
  const x = Float32Array.from({ length: rows * dim }, () => r() * 2 - 1);
  const ranges = qk.embeddingRanges(x, dim);
  const step = ranges.min.map((m, d) => { const s = Math.fround(Math.fround(ranges.max[d] - m) / 255); return s === 0 ? 1 : s; });
  const copy = new Float32Array(x.length);
  const floor = await time(() => copy.set(x));
  console.log('| precision | quantkit quantizeEmbeddings | plain JS loop | copy floor (input) | vs JS | vs copy floor |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  const i8 = new Int8Array(x.length), i8js = new Int8Array(x.length);
  const ub = new Uint8Array(rows * dim / 8), ubjs = new Uint8Array(rows * dim / 8);
  for (const [name, ours, theirs, a, b] of [
    ['int8', () => qk.quantizeEmbeddings(x, { dim, ranges }, i8), () => jsInt8(x, i8js, dim, ranges.min, step), i8, i8js],
    ['binary (ubinary)', () => qk.quantizeEmbeddings(x, { dim, precision: 'ubinary' }, ub), () => jsBinary(x, ubjs, dim), ub, ubjs],
  ]) {
    ours();
    theirs();
    assert.deepEqual(a, b);
    const t1 = await time(ours);
    const t2 = await time(theirs);
    console.log(`| ${name} | ${ms(t1)} (${gbs(x.length * 4, t1)}) | ${ms(t2)} | ${ms(floor)} (${gbs(x.length * 4, floor)}) | ${ratio(t2, t1)} faster | ${ratio(t1, floor)} |`);
  }
}

(async () => {
  console.log(`${os.cpus()[0].model} (${os.cpus().length} cores), node ${process.version}, quantkit ${qk.backend.name}/${qk.backend.isa}, threads ${qk.backend.threads}`);
  await images();
  await embeddings();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
