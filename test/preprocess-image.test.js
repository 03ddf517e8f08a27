'use strict';
// imageToTensor / tensorToImage (README "Preprocessing"): bit for bit against torchvision
// (ToTensor + Normalize, save_image; Debian's python3-torchvision run as an oracle) on every
// byte value in every channel and on random images, against @huggingface/transformers' own
// image processor, layouts, channel orders, float16 and quantized outputs against the public
// conversions, batches through out + offset, and the errors.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { prng } = require('./support/data');
const { requirePython, runPython, b64 } = require('./support/oracles');

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const bitsOf = (a) => new Uint32Array(a.buffer, a.byteOffset, a.length);
const assertBits = (actual, expected, what) => {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const a = bitsOf(actual);
  const e = bitsOf(expected);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) assert.fail(`${what}: element ${i}: ${actual[i]} (0x${a[i].toString(16)}) but expected ${expected[i]} (0x${e[i].toString(16)})`);
  }
};

function randomPixels(n, seed) {
  const r = prng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

// Every byte value in every channel: a 256 × 1 image whose pixel b is (b, 255 − b, b ^ 0x5a).
function allBytes(channels) {
  const px = new Uint8Array(256 * channels);
  for (let b = 0; b < 256; b++) {
    const v = [b, 255 - b, b ^ 0x5a, (b * 7) & 255];
    for (let c = 0; c < channels; c++) px[b * channels + c] = v[c];
  }
  return px;
}

// Independent of the facade's table: the arithmetic of each element written out directly.
function torchvisionValue(b, c, { mean, std, rescale = true }) {
  const f = Math.fround;
  let v = rescale ? f(b / 255) : b;
  if (mean) v = f(f(v - f(mean[c])) / f(std[c]));
  return v;
}

describe(`preprocess: imageToTensor (${qk.backend.name}, ${qk.backend.isa})`, () => {
  describe('torchvision oracle (python3-torchvision)', function () {
    // Before the hook: a hook takes the suite's timeout when it is registered (importing torch is slow).
    this.timeout(Math.max(this.timeout(), 60000));
    const cases = [
      { name: 'every byte value in every channel', width: 256, height: 1, pixels: allBytes(3) },
      { name: 'a random 97 × 61 image', width: 97, height: 61, pixels: randomPixels(97 * 61 * 3, 11) },
      { name: 'a random 224 × 224 image', width: 224, height: 224, pixels: randomPixels(224 * 224 * 3, 12) },
    ];
    const norms = [{ mean: MEAN, std: STD }, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, { mean: null, std: null }];
    const rgba = randomPixels(50 * 40 * 4, 13);
    const rgb = new Uint8Array(50 * 40 * 3);
    for (let p = 0; p < 50 * 40; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = rgba[p * 4 + c];
    const r = prng(14);
    const width = 33, height = 17;
    // Values around the rounding points: k/255 ± a little, below 0, above 1.
    const tensor = Float32Array.from({ length: 3 * width * height }, (_, i) => (i % 5 === 0 ? (Math.floor(r() * 300) - 20 + 0.5) / 255 : r() * 3 - 1.5));

    // Every request in one Python process: the oracle's answers, by request key.
    const answers = new Map();
    const requests = [];
    for (const { name, width: w, height: h, pixels } of cases) {
      for (const norm of norms) requests.push([`${name} ${JSON.stringify(norm.mean)}`, { op: 'normalize', width: w, height: h, channels: 3, pixels: b64(pixels), ...norm }]);
    }
    requests.push(['rgba', { op: 'normalize', width: 50, height: 40, channels: 3, pixels: b64(rgb), mean: MEAN, std: STD }]);
    for (const norm of [norms[2], norms[0]]) requests.push([`save ${JSON.stringify(norm.mean)}`, { op: 'save', width, height, channels: 3, tensor: b64(tensor), ...norm }]);
    before(function () {
      requirePython(this, 'torchvision, numpy');
      const out = JSON.parse(runPython('torchvision_oracle.py', { batch: requests.map(([, q]) => q) }).toString());
      requests.forEach(([key], i) => answers.set(key, new Uint8Array(Buffer.from(out[i], 'base64'))));
    });
    const floats = (key) => new Float32Array(answers.get(key).slice().buffer);

    for (const { name, width: w, height: h, pixels } of cases) {
      for (const norm of norms) {
        it(`${name}, mean ${JSON.stringify(norm.mean)}`, () => {
          const opts = { width: w, height: h, channels: 3, ...(norm.mean ? norm : {}) };
          assertBits(qk.imageToTensor(pixels, opts), floats(`${name} ${JSON.stringify(norm.mean)}`), name);
        });
      }
    }

    it('RGBA input drops alpha and gives the RGB bits', () => {
      assertBits(qk.imageToTensor(new Uint8ClampedArray(rgba.buffer), { width: 50, height: 40, channels: 4, mean: MEAN, std: STD }), floats('rgba'), 'RGBA');
    });

    it('tensorToImage gives save_image\'s bytes, after undoing Normalize', () => {
      for (const norm of [norms[2], norms[0]]) {
        const actual = qk.tensorToImage(tensor, { width, height, channels: 3, ...(norm.mean ? norm : {}) });
        assert.deepEqual(Array.from(actual), Array.from(answers.get(`save ${JSON.stringify(norm.mean)}`)));
      }
    });
  });

  describe('transformers.js oracle (@huggingface/transformers image processor)', function () {
    this.timeout(Math.max(this.timeout(), 60000));
    let ImageProcessor, RawImage;
    before(function () {
      // It loads onnxruntime-node, which cannot start under qemu without an arm64 /proc/cpuinfo
      // (scripts/test-arm64.js says so with QUANTKIT_NO_ORT), and sharp, whose prebuilt libvips
      // needs x86-64-v2 (SSE4.2): not on the SSE2-only CPU of scripts/test-baseline.js, which
      // says so with QUANTKIT_NO_SHARP. The native passes run this oracle.
      if (process.env.QUANTKIT_NO_ORT || process.env.QUANTKIT_NO_SHARP) this.skip();
      ({ ImageProcessor, RawImage } = require('@huggingface/transformers'));
    });

    async function processor(pixels, width, height, channels, config) {
      const p = new ImageProcessor({ do_rescale: true, rescale_factor: 1 / 255, ...config });
      const { pixel_values } = await p(new RawImage(Uint8ClampedArray.from(pixels), width, height, channels));
      return pixel_values.data;
    }

    for (const [name, width, height, channels, pixels] of [
      ['every byte value in every channel (RGB)', 256, 1, 3, allBytes(3)],
      ['every byte value in every channel (RGBA)', 256, 1, 4, allBytes(4)],
      ['a random 224 × 224 RGBA image', 224, 224, 4, randomPixels(224 * 224 * 4, 21)],
    ]) {
      for (const norm of [{ image_mean: MEAN, image_std: STD }, { image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] }, { image_mean: [0.48145466, 0.4578275, 0.40821073], image_std: [0.26862954, 0.26130258, 0.27577711] }]) {
        it(`${name}, mean ${norm.image_mean[0]}`, async () => {
          const expected = await processor(pixels, width, height, channels, { do_normalize: true, ...norm });
          const actual = qk.imageToTensor(pixels, { width, height, channels, mean: norm.image_mean, std: norm.image_std, convention: 'transformers.js' });
          assertBits(actual, expected, name);
        });
      }
    }

    it('rescale only, and BGR (flip after normalizing: mean and std given in output order)', async () => {
      const pixels = randomPixels(31 * 9 * 3, 22);
      assertBits(qk.imageToTensor(pixels, { width: 31, height: 9, channels: 3, convention: 'transformers.js' }), await processor(pixels, 31, 9, 3, {}), 'rescale');
      const expected = await processor(pixels, 31, 9, 3, { do_normalize: true, image_mean: MEAN, image_std: STD, do_flip_channel_order: true });
      const actual = qk.imageToTensor(pixels, { width: 31, height: 9, channels: 3, channelOrder: 'bgr', mean: [...MEAN].reverse(), std: [...STD].reverse(), convention: 'transformers.js' });
      assertBits(actual, expected, 'bgr');
    });

    it('the two conventions differ (the test could tell them apart)', () => {
      const px = allBytes(3);
      const a = qk.imageToTensor(px, { width: 256, height: 1, channels: 3, mean: MEAN, std: STD });
      const b = qk.imageToTensor(px, { width: 256, height: 1, channels: 3, mean: MEAN, std: STD, convention: 'transformers.js' });
      assert.ok(bitsOf(a).some((v, i) => v !== bitsOf(b)[i]));
    });
  });

  describe('layouts, channels and outputs', () => {
    const width = 23, height = 7, n = width * height;
    for (const channels of [1, 3, 4]) {
      for (const layout of ['nchw', 'nhwc']) {
        for (const channelOrder of ['rgb', 'bgr']) {
          for (const alpha of channels === 4 ? [false, true] : [false]) {
            it(`${channels} channels, ${layout}, ${channelOrder}${alpha ? ', alpha kept' : ''}: every element by the formula`, () => {
              const px = randomPixels(n * channels, 31 + channels);
              const oc = channels === 1 ? 1 : alpha ? 4 : 3;
              const mean = [0.1, 0.2, 0.3, 0.4].slice(0, oc);
              const std = [0.7, 0.5, 0.3, 0.9].slice(0, oc);
              const actual = qk.imageToTensor(px, { width, height, channels, layout, channelOrder, alpha, mean, std });
              const src = channels === 1 ? [0] : [...(channelOrder === 'rgb' ? [0, 1, 2] : [2, 1, 0]), 3].slice(0, oc);
              const expected = new Float32Array(n * oc);
              for (let p = 0; p < n; p++) {
                for (let c = 0; c < oc; c++) expected[layout === 'nchw' ? c * n + p : p * oc + c] = torchvisionValue(px[p * channels + src[c]], c, { mean, std });
              }
              assertBits(actual, expected, 'layout');
            });
          }
        }
      }
    }

    it('rescale: false keeps 0..255; a number is a multiplier', () => {
      const px = allBytes(3);
      const keep = qk.imageToTensor(px, { width: 256, height: 1, channels: 3, rescale: false });
      assert.equal(keep[255], 255);
      assert.equal(keep[256 + 255], 0);
      const two = qk.imageToTensor(px, { width: 256, height: 1, channels: 3, rescale: 2 });
      assert.equal(two[100], 200);
    });

    it('float16 output is toFloat16 of the float32 output', () => {
      const px = randomPixels(40 * 30 * 4, 41);
      const opts = { width: 40, height: 30, channels: 4, mean: MEAN, std: STD };
      const h = qk.imageToTensor(px, { ...opts, dtype: 'float16' });
      assert.ok(h instanceof Uint16Array);
      assert.deepEqual(h, qk.toFloat16(qk.imageToTensor(px, opts)));
    });

    for (const dtype of ['uint8', 'int8', 'uint16', 'int16', 'float8e4m3fn']) {
      it(`quantized output (${dtype}, per tensor and per channel) equals quantize of the normalized tensor`, () => {
        const px = randomPixels(29 * 13 * 3, 51);
        const opts = { width: 29, height: 13, channels: 3, mean: MEAN, std: STD };
        const x = qk.imageToTensor(px, opts);
        const params = dtype.startsWith('float8') ? { scale: 0.02, dtype } : qk.computeParams(x, { dtype });
        assert.deepEqual(qk.imageToTensor(px, { ...opts, params }), qk.quantize(x, params));
        if (!dtype.startsWith('float8')) {
          const perChannel = qk.computeParams(x, { dtype, axis: 1, shape: [1, 3, 13, 29] });
          assert.deepEqual(qk.imageToTensor(px, { ...opts, params: perChannel }), qk.quantize(x, perChannel));
          const nhwc = qk.imageToTensor(px, { ...opts, layout: 'nhwc' });
          const perChannelNhwc = qk.computeParams(nhwc, { dtype, axis: -1, shape: [1, 13, 29, 3] });
          assert.deepEqual(qk.imageToTensor(px, { ...opts, layout: 'nhwc', params: perChannelNhwc }), qk.quantize(nhwc, perChannelNhwc));
        }
      });
    }

    it('fills a batch image by image through out and offset, at an odd byteOffset view', () => {
      const size = 3 * 16 * 8;
      const images = [0, 1, 2].map((i) => randomPixels(16 * 8 * 4, 60 + i));
      const backing = new Float32Array(1 + 3 * size + 5).fill(-7);
      const batch = backing.subarray(1, 1 + 3 * size);
      images.forEach((px, i) => assert.equal(qk.imageToTensor(px, { width: 16, height: 8, channels: 4, mean: MEAN, std: STD, offset: i * size }, batch), batch));
      images.forEach((px, i) => assertBits(batch.subarray(i * size, (i + 1) * size), qk.imageToTensor(px, { width: 16, height: 8, channels: 4, mean: MEAN, std: STD }), `image ${i}`));
      assert.equal(backing[0], -7);
      assert.equal(backing[backing.length - 1], -7);
      // Pixels at an odd byte offset of a Node Buffer.
      const buf = Buffer.alloc(16 * 8 * 4 + 3);
      images[0].forEach((v, i) => (buf[i + 3] = v));
      assertBits(qk.imageToTensor(buf.subarray(3), { width: 16, height: 8, channels: 4 }), qk.imageToTensor(images[0], { width: 16, height: 8, channels: 4 }), 'offset view');
    });

    it('a large image (threads split it) equals the formula', function () {
      this.timeout(Math.max(this.timeout(), 30000));
      const width = 2048, height = 1100, channels = 3; // 2.25 Mi pixels: more than one part
      const px = randomPixels(width * height * channels, 71);
      const actual = qk.imageToTensor(px, { width, height, channels, mean: MEAN, std: STD });
      const n = width * height;
      for (let p = 0; p < n; p += 997) for (let c = 0; c < 3; c++) assert.equal(actual[c * n + p], torchvisionValue(px[p * 3 + c], c, { mean: MEAN, std: STD }));
      assert.equal(actual[3 * n - 1], torchvisionValue(px[3 * n - 1], 2, { mean: MEAN, std: STD }));
    });
  });

  describe('the README pipeline: sharp -> imageToTensor -> onnxruntime-node', function () {
    this.timeout(Math.max(this.timeout(), 60000));
    it('decodes, converts and runs a model on the tensor (a one-node Identity graph)', async function () {
      // As above: no onnxruntime-node under emulated arm64, no sharp on an SSE2-only CPU.
      if (process.env.QUANTKIT_NO_ORT || process.env.QUANTKIT_NO_SHARP) this.skip();
      let sharp;
      try {
        sharp = require('sharp');
      } catch (e) {
        // npm installs sharp's binary for the host only: an emulated arm64 run has none.
        if (process.arch !== 'x64') this.skip();
        throw e;
      }
      const ort = require('onnxruntime-node');
      const { buildModel } = require('./support/onnx-graphs');
      // A PNG "file" made here, as a photo would be read from disk.
      const png = await sharp(Buffer.from(randomPixels(40 * 30 * 3, 91)), { raw: { width: 40, height: 30, channels: 3 } }).png().toBuffer();
      const { data, info } = await sharp(png).resize(16, 16).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const input = qk.imageToTensor(data, { width: info.width, height: info.height, channels: info.channels, mean: MEAN, std: STD });
      const model = buildModel({
        opType: 'Identity', opset: 13, nodeInputs: ['pixel_values'], nodeOutputs: ['y'],
        inputs: [{ name: 'pixel_values', elemType: 1, dims: [1, 3, 16, 16] }], outputs: [{ name: 'y', elemType: 1, dims: [1, 3, 16, 16] }],
      });
      const session = await ort.InferenceSession.create(model);
      const { y } = await session.run({ pixel_values: new ort.Tensor('float32', input, [1, 3, 16, 16]) });
      assertBits(y.data, input, 'identity');
      assert.equal(input[0], torchvisionValue(data[0], 0, { mean: MEAN, std: STD }));
    });
  });

  describe('bad input: an error naming the argument, nothing written', () => {
    const px = randomPixels(4 * 3 * 3, 81);
    const opts = { width: 4, height: 3, channels: 3 };
    const out = new Float32Array(36).fill(9);
    it('pixels of the wrong length or type', () => {
      rejects(() => qk.imageToTensor(px.subarray(1), opts, out), 'RangeError', 'Expected pixels.length to equal width · height · channels = 4 · 3 · 3 = 36 but received 35', out);
      rejects(() => qk.imageToTensor(new Float32Array(36), opts, out), 'TypeError', 'Expected a Uint8Array, Buffer or Uint8ClampedArray (HWC bytes) for pixels but received Float32Array(36)', out);
      rejects(() => qk.imageToTensor(px, { ...opts, channels: 2 }, out), 'RangeError', 'Expected 1, 3 or 4 for opts.channels but received 2', out);
      rejects(() => qk.imageToTensor(px, { ...opts, width: 0 }, out), 'RangeError', 'Expected an integer in [1, 67108864] for opts.width but received 0', out);
    });
    it('mean / std of the wrong length, a zero std', () => {
      rejects(() => qk.imageToTensor(px, { ...opts, mean: [0.5, 0.5] }, out), 'RangeError', 'Expected 3 values (one per output channel) for opts.mean but received an Array(2)', out);
      rejects(() => qk.imageToTensor(px, { ...opts, std: [0.5, 0, 0.5] }, out), 'RangeError', 'Expected a non-zero number for opts.std[1] but received 0', out);
      rejects(() => qk.imageToTensor(px, { ...opts, std: [0.5, NaN, 0.5] }, out), 'RangeError', 'Expected a finite number for opts.std[1] but received NaN', out);
    });
    it('out too small at its offset, of the wrong type', () => {
      rejects(() => qk.imageToTensor(px, { ...opts, offset: 1 }, out), 'RangeError', 'Expected out to hold 36 elements from offset 1 but received Float32Array(36)', out);
      rejects(() => qk.imageToTensor(px, opts, new Float32Array(35)), 'RangeError', 'Expected out to hold 36 elements from offset 0 but received Float32Array(35)');
      rejects(() => qk.imageToTensor(px, { ...opts, dtype: 'float16' }, out), 'TypeError', "Expected a Uint16Array (the output's element type) for out but received Float32Array(36)", out);
    });
    it('unknown and invalid options', () => {
      rejects(() => qk.imageToTensor(px, { ...opts, layuot: 'nhwc' }, out), 'TypeError', "Unknown key 'layuot' in opts (did you mean 'layout'?); the valid keys are 'width', 'height', 'channels', 'layout', 'channelOrder', 'alpha', 'mean', 'std', 'rescale', 'convention', 'dtype', 'params', 'offset'", out);
      rejects(() => qk.imageToTensor(px, { ...opts, convention: 'pil' }, out), 'TypeError', "Expected one of 'torchvision', 'transformers.js' for opts.convention but received 'pil'", out);
      rejects(() => qk.imageToTensor(px, { ...opts, params: { scale: 0.1, dtype: 'int4' } }, out), 'RangeError', "Expected a dtype of one element per array slot (packed 4- and 2-bit output is not supported) for opts.params.dtype but received 'int4'", out);
      rejects(() => qk.tensorToImage(out, { ...opts, std: [1, 1] }), 'RangeError', 'Expected 3 values (one per output channel) for opts.std but received an Array(2)', out);
    });
  });
});
