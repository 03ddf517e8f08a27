// The work scripts/test-browser.js has done twice, by the browser build in headless Chromium
// and by require('quantkit') in Node, on the same inputs: each returns its outputs as
// [name, TypedArray] pairs, whose bytes the test digests (SHA-256) and compares.
// The image is painted from RECTS: opaque fillRects on whole pixels, which a canvas draws
// exactly (no antialiasing, no text), and which paintRgba draws the same way into an array.

export const WIDTH = 24;
export const HEIGHT = 16;
/** [x, y, w, h, r, g, b] over a white canvas. */
export const RECTS = [
  [0, 0, 12, 8, 255, 0, 0],
  [12, 0, 12, 8, 0, 128, 255],
  [0, 8, 24, 8, 17, 200, 33],
  [5, 3, 9, 10, 250, 251, 7],
  [20, 1, 3, 14, 0, 0, 0],
  [1, 12, 2, 2, 129, 127, 1],
];

/** The canvas's ImageData.data, drawn in an array (Node's side). */
export function paintRgba() {
  const rgba = new Uint8ClampedArray(WIDTH * HEIGHT * 4).fill(255);
  for (const [x0, y0, w, h, r, g, b] of RECTS) {
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) rgba.set([r, g, b, 255], (y * WIDTH + x) * 4);
    }
  }
  return rgba;
}

/** The same drawn on a 2D canvas context (the page's side). */
export function paintCanvas(ctx) {
  ctx.fillStyle = 'rgb(255, 255, 255)';
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  for (const [x, y, w, h, r, g, b] of RECTS) {
    ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.fillRect(x, y, w, h);
  }
}

/** Deterministic floats in [-3, 5), with the edges if asked: ties, NaN, ±Inf, −0, subnormals, huge values. */
function floats(n, seed, withEdges) {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 2 ** 32) * 8 - 3;
  }
  const edges = [NaN, Infinity, -Infinity, -0, 0.5, 1.5, -2.5, 1e-40, -1e-42, 3e38, -3e38, 0.0625];
  if (withEdges) edges.forEach((v, i) => { x[(i * 37) % n] = v; });
  return x;
}

/** Every output of the work, in order. */
export function run(qk, rgba) {
  const out = [];
  const x = floats(1027, 7, true);
  const finite = floats(4096, 11, false);
  for (const dtype of ['uint8', 'int8', 'uint16', 'int16', 'int4', 'uint4', 'int2']) {
    const params = qk.paramsFromRange(-3, 5, { dtype });
    const q = qk.quantize(x, params);
    out.push([`quantize ${dtype}`, q], [`dequantize ${dtype}`, qk.dequantize(q, { ...params, count: x.length })]);
  }
  for (const convention of ['pytorch', 'tflite']) {
    const params = qk.computeParams(finite, { dtype: 'int8', symmetric: true, convention });
    out.push([`quantize int8 ${convention}`, qk.quantize(finite, params)]);
  }
  // Per axis (shape [8, 512], axis 0) and blocked (axis 1, blocks of 32), int4 packed too.
  const shape = [8, 512];
  for (const [name, opts] of [['per-axis uint8', { axis: 0, shape, dtype: 'uint8' }], ['blocked int4', { axis: 1, shape, blockSize: 32, dtype: 'int4', symmetric: true }]]) {
    const params = qk.computeParams(finite, opts);
    const q = qk.quantize(finite, params);
    out.push([`${name} scale`, params.scale], [`${name} zeroPoint`, params.zeroPoint], [`${name} quantize`, q], [`${name} dequantize`, qk.dequantize(q, params)]);
  }
  for (const dtype of ['uint8', 'int8', 'uint4']) {
    const r = qk.quantizeDynamic(finite, { dtype });
    out.push([`quantizeDynamic ${dtype}`, r.data], [`quantizeDynamic ${dtype} params`, new Float64Array([r.scale, r.zeroPoint])]);
  }
  const half = qk.toFloat16(x);
  out.push(['toFloat16', half], ['fromFloat16', qk.fromFloat16(half)], ['toBFloat16', qk.toBFloat16(x)]);
  out.push(['quantize float16 input', qk.quantize({ format: 'float16', bits: half }, qk.paramsFromRange(-3, 5, { dtype: 'uint8' }))]);
  const q80 = qk.ggml.quantize(finite, 'q8_0');
  out.push(['ggml q8_0', q80], ['ggml q8_0 dequantize', qk.ggml.dequantize(q80, 'q8_0', finite.length)]);
  out.push(['ggml q4_k', qk.ggml.quantize(finite, 'q4_k')]);
  const u8 = qk.quantize(finite, qk.computeParams(finite, { dtype: 'int8' }));
  out.push(['toUnsigned', qk.toUnsigned(u8, qk.computeParams(finite, { dtype: 'int8' })).data]);
  const observer = qk.createObserver('entropy');
  observer.observe(finite);
  const p = observer.params({ dtype: 'uint8' });
  const stats = qk.errorStats(finite, p);
  out.push(['entropy observer params', new Float64Array([p.scale, p.zeroPoint])], ['errorStats', new Float64Array([stats.mse, stats.maxAbs, stats.sqnrDb, stats.cosine])]);
  out.push(['image pixels', rgba]);
  const opts = { width: WIDTH, height: HEIGHT, channels: 4, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  const tensor = qk.imageToTensor(rgba, opts);
  out.push(['imageToTensor', tensor], ['imageToTensor float16 NHWC', qk.imageToTensor(rgba, { ...opts, dtype: 'float16', layout: 'nhwc' })]);
  out.push(['tensorToImage', qk.tensorToImage(tensor, { width: WIDTH, height: HEIGHT, channels: 3, mean: opts.mean, std: opts.std })]);
  const rows = finite.subarray(0, 512);
  const codes = qk.quantizeEmbeddings(rows, { dim: 16, precision: 'int8' });
  const bits = qk.quantizeEmbeddings(rows, { dim: 16, precision: 'ubinary' });
  out.push(['quantizeEmbeddings int8', codes], ['quantizeEmbeddings ubinary', bits], ['unpackBits', qk.unpackBits(bits, 16)]);
  out.push(['dequantizeEmbeddings', qk.dequantizeEmbeddings(codes, { dim: 16, ranges: qk.embeddingRanges(rows, 16) })]);
  return out;
}
