'use strict';
// Per-axis and blocked parameters: quantize / dequantize against an independent per-element
// reference (the channel index worked out from the multi-index, then SPEC §2 through
// support/reference.js), computeParams / quantizeDynamic against the per-tensor functions on
// each channel's own values, ONNX Runtime's QuantizeLinear / DequantizeLinear with `axis`
// (opset 13) and `block_size` (opset 21; the packed 2-bit types at opset 25) as the oracle
// for every dtype, the direct native calls, and errors.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { quantizeValue } = require('./support/reference');
const { buildModel, castOutputToInt8 } = require('./support/onnx-graphs');
const { prng: rng } = require('./support/data');

const RANGE = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
  uint4: [0, 15], int4: [-8, 7], uint2: [0, 3], int2: [-2, 1],
};
const CONTAINER = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint4: Uint8Array, int4: Uint8Array, uint2: Uint8Array, int2: Uint8Array,
};
const ZERO = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint4: Uint8Array, int4: Int8Array, uint2: Uint8Array, int2: Int8Array,
};
const WIDTH = { uint4: 4, int4: 4, uint2: 2, int2: 2 };
const DTYPES = Object.keys(RANGE);

const prod = (a) => a.reduce((p, v) => p * v, 1);

/** The parameter index of flat element e, from its multi-index (no outer/inner shortcut). */
function paramIndex(e, shape, axis, blockSize) {
  const r = shape.length;
  const ax = axis < 0 ? axis + r : axis;
  const idx = new Array(r);
  for (let k = r - 1; k >= 0; k--) {
    idx[k] = e % shape[k];
    e = Math.floor(e / shape[k]);
  }
  if (blockSize === undefined) return idx[ax];
  const pshape = shape.slice();
  pshape[ax] = Math.ceil(shape[ax] / blockSize);
  idx[ax] = Math.floor(idx[ax] / blockSize);
  let k = 0;
  for (let j = 0; j < r; j++) k = k * pshape[j] + idx[j];
  return k;
}

function paramCount(shape, axis, blockSize) {
  const ax = axis < 0 ? axis + shape.length : axis;
  if (blockSize === undefined) return shape[ax];
  const pshape = shape.slice();
  pshape[ax] = Math.ceil(shape[ax] / blockSize);
  return prod(pshape);
}

function refQuantize(x, p) {
  const [qmin, qmax] = p.bits === undefined ? RANGE[p.dtype] : (RANGE[p.dtype][0] < 0 ? [-(2 ** (p.bits - 1)), 2 ** (p.bits - 1) - 1] : [0, 2 ** p.bits - 1]);
  return Array.from(x, (v, e) => {
    const k = paramIndex(e, p.shape, p.axis, p.blockSize);
    return quantizeValue(v, p.scale[k], p.zeroPoint ? p.zeroPoint[k] : 0, qmin, qmax);
  });
}

function refDequantize(codes, p) {
  return Float32Array.from(codes, (c, e) => {
    const k = paramIndex(e, p.shape, p.axis, p.blockSize);
    return Math.fround((c - (p.zeroPoint ? p.zeroPoint[k] : 0)) * p.scale[k]);
  });
}

/** The codes of a quantize result as plain numbers (packed dtypes unpacked). */
function codesOf(q, p) {
  if (WIDTH[p.dtype] === undefined) return Array.from(q);
  return Array.from(qk.unpack(q, p.dtype, prod(p.shape)));
}

function randomParams(rand, dtype, shape, axis, blockSize, { withZero = true } = {}) {
  const n = paramCount(shape, axis, blockSize);
  const [qmin, qmax] = RANGE[dtype];
  const scale = Float32Array.from({ length: n }, () => Math.fround(2 ** (rand() * 8 - 6) * (1 + rand())));
  const p = { scale, axis, shape, dtype };
  if (blockSize !== undefined) p.blockSize = blockSize;
  if (withZero) p.zeroPoint = ZERO[dtype].from({ length: n }, () => qmin + Math.floor(rand() * (qmax - qmin + 1)));
  return p;
}

/** Random values, exact ties of each element's own scale, and the special values. */
function data(rand, p) {
  const n = prod(p.shape);
  const specials = [NaN, Infinity, -Infinity, -0, 0, 1e-40, -1e-40, 3e38, -3e38];
  return Float32Array.from({ length: n }, (_, e) => {
    const k = paramIndex(e, p.shape, p.axis, p.blockSize);
    const u = rand();
    if (u < 0.06) return specials[Math.floor(rand() * specials.length)];
    if (u < 0.4) return (Math.floor(rand() * 40) - 20 + 0.5) * p.scale[k]; // a tie
    return (rand() - 0.5) * p.scale[k] * 600;
  });
}

// Shapes and axes that cover rank 1–4, inner = 1, short inner rows (below the 16-element
// run length), long ones, and D not a multiple of the block size.
const LAYOUTS = [
  { shape: [1], axis: 0 },
  { shape: [37], axis: 0 },
  { shape: [37], axis: -1, blockSize: 5 },
  { shape: [100], axis: 0, blockSize: 32 },
  { shape: [5, 67], axis: 1 },
  { shape: [5, 67], axis: -1, blockSize: 16 },
  { shape: [5, 67], axis: 1, blockSize: 3 },
  { shape: [5, 67], axis: 1, blockSize: 33 },
  { shape: [5, 67], axis: 0 },
  { shape: [5, 67], axis: -2, blockSize: 2 },
  { shape: [3, 4, 5], axis: 1 },
  { shape: [3, 4, 5], axis: 1, blockSize: 3 },
  { shape: [3, 7, 17], axis: 1 },
  { shape: [3, 7, 17], axis: -2, blockSize: 4 },
  { shape: [3, 7, 15], axis: 1, blockSize: 7 },
  { shape: [2, 3, 4, 5], axis: 0 },
  { shape: [2, 3, 4, 5], axis: 2, blockSize: 3 },
  { shape: [2, 3, 4, 5], axis: -1, blockSize: 2 },
  { shape: [2, 9, 3, 6], axis: 1, blockSize: 4 },
  { shape: [2, 0, 3], axis: 1 },
  { shape: [2, 0, 3], axis: 0, blockSize: 2 },
  { shape: [4, 300], axis: 1 },
  { shape: [300, 4], axis: 0, blockSize: 64 },
];

const describeLayout = (l) => `shape [${l.shape}], axis ${l.axis}${l.blockSize ? `, blockSize ${l.blockSize}` : ''}`;

describe(`per-axis and blocked parameters (${qk.backend.name}/${qk.backend.isa})`, () => {
  describe('quantize / dequantize against the per-element reference', () => {
    for (const dtype of DTYPES) {
      it(`${dtype}: every layout, random data, ties, NaN/±Inf/−0/subnormals`, () => {
        const rand = rng(7 + DTYPES.indexOf(dtype));
        for (const l of LAYOUTS) {
          for (const withZero of [true, false]) {
            const p = randomParams(rand, dtype, l.shape, l.axis, l.blockSize, { withZero });
            const x = data(rand, p);
            const q = qk.quantize(x, p);
            assert.ok(q instanceof CONTAINER[dtype]);
            const want = refQuantize(x, p);
            assert.deepEqual(codesOf(q, p), want, `${dtype} ${describeLayout(l)} zeroPoint ${withZero}`);
            const d = qk.dequantize(q, p);
            assert.deepEqual(Array.from(d), Array.from(refDequantize(want, p)), `dequantize ${dtype} ${describeLayout(l)}`);
            // Float64 input is read as float32 (SPEC §2.6).
            assert.deepEqual(codesOf(qk.quantize(Float64Array.from(x), p), p), want);
          }
        }
      });
    }

    it('bits narrow the range per channel as per tensor', () => {
      const rand = rng(99);
      for (const [dtype, bits] of [['uint8', 5], ['int8', 3], ['int16', 11], ['uint16', 9], ['int4', 3]]) {
        const p = randomParams(rand, dtype, [6, 21], 1, undefined, { withZero: false });
        p.bits = bits;
        const x = data(rand, p);
        assert.deepEqual(codesOf(qk.quantize(x, p), p), refQuantize(x, p), `${dtype} bits ${bits}`);
      }
    });

    it('each element equals the per-tensor quantize with its own scale and zero point', () => {
      const rand = rng(5);
      const p = randomParams(rand, 'int8', [3, 40, 20], 1, undefined);
      const x = data(rand, p);
      const q = qk.quantize(x, p);
      for (let o = 0; o < 3; o++) {
        for (let a = 0; a < 40; a++) {
          const row = x.subarray((o * 40 + a) * 20, (o * 40 + a + 1) * 20);
          const per = qk.quantize(row, { scale: p.scale[a], zeroPoint: p.zeroPoint[a], dtype: 'int8' });
          assert.deepEqual(q.subarray((o * 40 + a) * 20, (o * 40 + a + 1) * 20), per);
        }
      }
    });

    it('writes into out at odd byte offsets and reads sub-array views', () => {
      const rand = rng(11);
      const p = randomParams(rand, 'uint16', [7, 33], -1, 8);
      const x = data(rand, p);
      const xb = new Float32Array(x.length + 3);
      xb.set(x, 3);
      const xv = xb.subarray(3);
      const buf = new ArrayBuffer(2 * x.length + 6);
      const out = new Uint16Array(buf, 2, x.length);
      assert.equal(qk.quantize(xv, p, out), out);
      assert.deepEqual(Array.from(out), refQuantize(x, p));
      const fbuf = new Float32Array(x.length + 1);
      const dout = fbuf.subarray(1);
      assert.equal(qk.dequantize(out, p, dout), dout);
      assert.deepEqual(Array.from(dout), Array.from(refDequantize(Array.from(out), p)));
    });

    it('a large tensor (split across threads natively) equals the reference on a sample', function () {
      // 5M elements, four layouts: a second alone, longer on a shared or emulated machine.
      this.timeout(Math.max(this.timeout(), 60000));
      const shape = [2048, 2560];
      const rand = rng(3);
      for (const [axis, blockSize] of [[1, undefined], [0, undefined], [1, 32], [0, 128]]) {
        const p = randomParams(rand, 'int8', shape, axis, blockSize);
        const x = new Float32Array(prod(shape));
        for (let e = 0; e < x.length; e++) x[e] = (rand() - 0.5) * 50;
        const q = qk.quantize(x, p);
        const d = qk.dequantize(q, p);
        for (let t = 0; t < 20000; t++) {
          const e = Math.floor(rand() * x.length);
          const k = paramIndex(e, shape, axis, blockSize);
          const want = quantizeValue(x[e], p.scale[k], p.zeroPoint[k], -128, 127);
          assert.equal(q[e], want, `axis ${axis} blockSize ${blockSize} element ${e}`);
          assert.equal(d[e], Math.fround((want - p.zeroPoint[k]) * p.scale[k]));
        }
      }
    });
  });

  describe('computeParams and quantizeDynamic per channel / block', () => {
    /** The values of each parameter's elements, gathered by the reference index. */
    function channels(x, shape, axis, blockSize) {
      const groups = Array.from({ length: paramCount(shape, axis, blockSize) }, () => []);
      for (let e = 0; e < x.length; e++) groups[paramIndex(e, shape, axis, blockSize)].push(x[e]);
      return groups.map((g) => Float32Array.from(g));
    }

    for (const dtype of DTYPES) {
      it(`${dtype}: equals the per-tensor computeParams of each channel's values (affine and symmetric)`, () => {
        const rand = rng(50 + DTYPES.indexOf(dtype));
        for (const l of LAYOUTS) {
          for (const symmetric of [false, true]) {
            const x = Float32Array.from({ length: prod(l.shape) }, () => (rand() < 0.05 ? NaN : (rand() - 0.3) * 20 * rand()));
            // An all-NaN channel counts as [0, 0], an all-zero one as well.
            if (x.length > 0 && l.blockSize === undefined) {
              const first = Array.from(x, (_, e) => e).filter((e) => paramIndex(e, l.shape, l.axis) === 0);
              for (const e of first) x[e] = NaN;
            }
            const opts = { ...l, dtype, symmetric };
            const p = qk.computeParams(x, opts);
            const groups = channels(x, l.shape, l.axis, l.blockSize);
            assert.equal(p.scale.length, groups.length);
            assert.ok(p.zeroPoint instanceof ZERO[dtype]);
            assert.deepEqual(p.shape, l.shape);
            assert.equal(p.axis, l.axis);
            assert.equal(p.blockSize, l.blockSize);
            assert.equal(p.dtype, dtype);
            groups.forEach((g, k) => {
              const per = qk.computeParams(g, { dtype, symmetric });
              assert.equal(p.scale[k], per.scale, `${describeLayout(l)} scale[${k}]`);
              assert.equal(p.zeroPoint[k], per.zeroPoint, `${describeLayout(l)} zeroPoint[${k}]`);
            });
            if (!symmetric) {
              const dyn = qk.quantizeDynamic(x, { ...l, dtype });
              assert.deepEqual(dyn.scale, p.scale);
              assert.deepEqual(dyn.zeroPoint, p.zeroPoint);
              assert.deepEqual(codesOf(dyn.data, p), refQuantize(x, p));
            }
          }
        }
      });
    }

    it('bits and quantizeDynamic into out', () => {
      const rand = rng(77);
      const x = Float32Array.from({ length: 6 * 50 }, () => (rand() - 0.5) * 9);
      const p = qk.computeParams(x, { axis: 0, shape: [6, 50], dtype: 'int8', bits: 4 });
      assert.equal(p.bits, 4);
      const groups = channels(x, [6, 50], 0);
      groups.forEach((g, k) => {
        const per = qk.computeParams(g, { dtype: 'int8', bits: 4 });
        assert.equal(p.scale[k], per.scale);
        assert.equal(p.zeroPoint[k], per.zeroPoint);
      });
      const out = new Int8Array(x.length);
      const dyn = qk.quantizeDynamic(x, { axis: 0, shape: [6, 50], dtype: 'int8', bits: 4, out });
      assert.equal(dyn.data, out);
      assert.deepEqual(Array.from(out), refQuantize(x, p));
    });

    it('refuses an infinite value, naming the parameter', () => {
      const x = new Float32Array([1, 2, 3, Infinity, 5, 6]);
      assert.throws(() => qk.computeParams(x, { axis: 1, shape: [3, 2] }), {
        name: 'RangeError',
        message: "Expected x to hold only finite values (NaN is ignored) but the range of parameter 1's elements is [2, Infinity]",
      });
      const out = new Uint8Array(6).fill(7);
      assert.throws(() => qk.quantizeDynamic(x, { axis: 0, shape: [6], blockSize: 4, out }), RangeError);
      assert.deepEqual(Array.from(out), [7, 7, 7, 7, 7, 7]);
    });
  });

  describe('against ONNX Runtime', function () {
    this.timeout(120000);
    let ort;
    let onnx;
    before(() => {
      ort = require('onnxruntime-node');
      ({ onnx } = require('onnx-proto'));
    });
    const ONNX = { uint8: 2, int8: 3, uint16: 4, int16: 5, uint4: 21, int4: 22, uint2: 25, int2: 26 };
    const FLOAT = 1;

    // A one-node model with x (or q) as the only input; scale and zero point initializers of
    // the per-axis (1-D) or blocked (the input's rank) shape, `axis` / `block_size` attributes.
    // onnxruntime-node cannot pass sub-byte tensors across its JS boundary, so for the packed
    // dtypes they stay in the graph (as in packed.test.js): the zero point and q are
    // initializers holding packed bytes in raw_data, and QuantizeLinear's output goes through
    // Cast to int8.
    async function run(op, input, p, opset) {
      const pshape = p.blockSize === undefined ? [p.scale.length] : p.shape.map((d, j) => (j === (p.axis + p.shape.length) % p.shape.length ? Math.ceil(d / p.blockSize) : d));
      const quantize = op === 'QuantizeLinear';
      const packed = WIDTH[p.dtype] !== undefined;
      const intTensor = (name, dims, values) => (packed
        ? { name, dataType: ONNX[p.dtype], dims, rawData: qk.pack(values, p.dtype) }
        : { name, dataType: ONNX[p.dtype], dims, int32Data: Array.from(values) });
      const inputs = [];
      const initializers = [
        { name: 's', dataType: FLOAT, dims: pshape, floatData: Array.from(p.scale) },
        intTensor('z', pshape, p.zeroPoint),
      ];
      if (quantize) inputs.push({ name: 'x', elemType: FLOAT, dims: p.shape });
      else if (packed) initializers.push({ name: 'x', dataType: ONNX[p.dtype], dims: p.shape, rawData: input });
      else inputs.push({ name: 'x', elemType: ONNX[p.dtype], dims: p.shape });
      const model = onnx.ModelProto.decode(buildModel({
        opType: op,
        opset,
        nodeInputs: ['x', 's', 'z'],
        nodeOutputs: ['y'],
        inputs,
        outputs: [{ name: 'y', elemType: quantize ? ONNX[p.dtype] : FLOAT, dims: p.shape }],
        initializers,
      }));
      const attribute = [{ name: 'axis', type: 2, i: p.axis }];
      if (p.blockSize !== undefined) attribute.push({ name: 'block_size', type: 2, i: p.blockSize });
      model.graph.node[0].attribute = attribute;
      if (quantize && packed) {
        castOutputToInt8(model);
      }
      const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish());
      try {
        const feeds = quantize || !packed ? { x: new ort.Tensor(quantize ? 'float32' : p.dtype, input, p.shape) } : {};
        return (await session.run(feeds)).y.data;
      } finally {
        await session.release();
      }
    }

    const CASES = [
      { shape: [67], axis: 0 },
      { shape: [5, 67], axis: 1 },
      { shape: [5, 67], axis: -1 },
      { shape: [40, 3], axis: 0 },
      { shape: [3, 7, 17], axis: 1 },
      { shape: [2, 3, 4, 5], axis: -3 },
      { shape: [2, 3, 4, 25], axis: 3 },
    ];
    const BLOCKED = [
      { shape: [67], axis: 0, blockSize: 32 },
      { shape: [5, 67], axis: 1, blockSize: 16 },
      { shape: [5, 67], axis: -1, blockSize: 5 },
      { shape: [67, 5], axis: 0, blockSize: 32 },
      { shape: [3, 7, 17], axis: 1, blockSize: 3 },
      { shape: [2, 9, 4, 5], axis: -3, blockSize: 4 },
      { shape: [2, 3, 4, 33], axis: 3, blockSize: 8 },
    ];
    // Odd element counts (a last, half-used byte), block sizes that split bytes, one block.
    const PACKED_BLOCKED = [
      { shape: [3, 7, 9], axis: -1, blockSize: 3 },
      { shape: [7, 9, 3], axis: 0, blockSize: 2 },
      { shape: [5, 13], axis: 1, blockSize: 13 },
      { shape: [1, 33], axis: -1, blockSize: 32 },
    ];

    async function compare(dtype, layouts, opset, seed) {
      const rand = rng(seed);
      const packed = WIDTH[dtype] !== undefined;
      for (const l of layouts) {
        const p = randomParams(rand, dtype, l.shape, l.axis, l.blockSize);
        const x = data(rand, p);
        const q = qk.quantize(x, p);
        const codes = codesOf(q, p);
        const want = await run('QuantizeLinear', x, p, opset);
        // ORT 1.30's per-axis int2 / uint2 QuantizeLinear is wrong when the dimensions after
        // the axis multiply to 1 (each channel's elements stand alone: shape [8] or [8, 1] on
        // axis 0, [2, 8] on axis 1): uint2, shape [8], zero points [0, 1, 2, 3, ...], scale 1,
        // x = 0 gives [2, 2, 2, 3, ...] where ONNX (and ORT's own 4- and 8-bit kernels, and its
        // blocked 2-bit kernel) give each element its channel's zero point. Its
        // DequantizeLinear is right there. quantkit is held to the ONNX rule in that layout by
        // the per-element reference above; README "Numbers" lists the difference.
        const ax = (p.axis + p.shape.length) % p.shape.length;
        const ortWrong = WIDTH[dtype] === 2 && p.blockSize === undefined && prod(p.shape.slice(ax + 1)) === 1;
        let compared = 0;
        for (let e = 0; e < x.length; e++) {
          // NaN: ONNX leaves it undefined (ORT gives qmin, quantkit the zero point; SPEC §2.1).
          if (Number.isNaN(x[e])) continue;
          // ORT 1.30's blocked kernel for an axis other than the last, and its sub-byte
          // kernels, convert x / s to int32 before they clamp, so a quotient beyond int32
          // (±Inf included) comes out as garbage (0 for uint8 where ONNX saturates to 255);
          // its 8/16-bit per-axis and per-tensor kernels saturate. quantkit saturates
          // everywhere (README "Per-axis and blocked parameters").
          const k = paramIndex(e, p.shape, p.axis, p.blockSize);
          if ((packed || p.blockSize !== undefined) && !(Math.abs(Math.fround(x[e] / p.scale[k])) < 2 ** 31)) continue;
          if (ortWrong) continue;
          assert.equal(codes[e], want[e], `${dtype} ${describeLayout(l)} opset ${opset} element ${e} x ${x[e]}`);
          compared++;
        }
        assert.ok(ortWrong ? compared === 0 : compared > x.length / 2);
        const d = qk.dequantize(q, p);
        assert.deepEqual(Array.from(d), Array.from(await run('DequantizeLinear', q, p, opset)), `dequantize ${dtype} ${describeLayout(l)}`);
      }
    }

    for (const dtype of ['uint8', 'int8']) {
      it(`${dtype}: QuantizeLinear / DequantizeLinear with axis (opset 13)`, () => compare(dtype, CASES, 13, 300 + ONNX[dtype]));
    }
    for (const dtype of ['uint8', 'int8', 'uint16', 'int16']) {
      it(`${dtype}: with axis and with block_size (opset 21)`, async () => {
        await compare(dtype, CASES, 21, 400 + ONNX[dtype]);
        await compare(dtype, BLOCKED, 21, 500 + ONNX[dtype]);
      });
    }
    // Packed: blocked along the last axis and others, partial last blocks, random and edge
    // data (ties, ±Inf, −0, subnormals), both backends; 2-bit types need opset 25.
    for (const dtype of ['uint4', 'int4', 'uint2', 'int2']) {
      const opset = WIDTH[dtype] === 2 ? 25 : 21;
      it(`${dtype}: packed, with axis and with block_size (opset ${opset})`, async () => {
        await compare(dtype, CASES, opset, 400 + ONNX[dtype]);
        await compare(dtype, [...BLOCKED, ...PACKED_BLOCKED], opset, 500 + ONNX[dtype]);
      });
    }
  });

  describe('errors: class, message, out untouched', () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => i - 5);
    const base = () => ({ scale: new Float32Array([0.5, 1, 2]), zeroPoint: new Int8Array([0, 1, -1]), axis: 1, shape: [4, 3], dtype: 'int8' });

    function refuses(change, name, message, { call = 'quantize', input = x } = {}) {
      const p = base();
      const extra = change(p) || {};
      const out = extra.out || (call === 'quantize' ? new Int8Array(12).fill(9) : new Float32Array(12).fill(9));
      rejects(() => (call === 'quantize' ? qk.quantize(input, p, out) : qk.dequantize(extra.q || new Int8Array(12), p, out)), name, message, out);
    }

    it('refuses bad scales and zero points by index', () => {
      refuses((p) => { p.scale[2] = 0; }, 'RangeError', 'Expected a positive finite float32 for params.scale[2] but received 0');
      refuses((p) => { p.scale[1] = NaN; }, 'RangeError', 'Expected a positive finite float32 for params.scale[1] but received NaN');
      refuses((p) => { p.scale[0] = -Infinity; }, 'RangeError', 'Expected a positive finite float32 for params.scale[0] but received -Infinity');
      refuses((p) => { p.scale = new Float32Array(4).fill(1); }, 'RangeError', 'Expected params.scale.length to equal 3 (shape[axis] = 3) but received 4');
      refuses((p) => { p.scale = [1, 1, 1]; }, 'TypeError', 'Expected a Float32Array for params.scale but received an Array(3) (a plain Array is not accepted: pass new Float32Array(array))');
      refuses((p) => { p.zeroPoint = new Uint8Array(3); }, 'TypeError', "Expected an Int8Array (dtype 'int8') for params.zeroPoint but received Uint8Array(3)");
      refuses((p) => { p.zeroPoint = new Int8Array(2); }, 'RangeError', 'Expected params.zeroPoint.length to equal 3 (shape[axis] = 3) but received 2');
      refuses((p) => { p.bits = 3; p.zeroPoint[1] = 4; }, 'RangeError', 'Expected an integer in [-4, 3] for params.zeroPoint[1] but received 4');
      refuses((p) => { p.blockSize = 2; }, 'RangeError', 'Expected params.scale.length to equal 8 (8 blocks) but received 3');
      refuses((p) => { p.blockSize = 2; p.scale = new Float32Array(8).fill(1); p.zeroPoint = undefined; p.scale[5] = 1e-50; }, 'RangeError', 'Expected a positive finite float32 for params.scale[5] but received 0');
    });

    it('refuses bad shapes, axes and block sizes', () => {
      refuses((p) => { p.axis = 2; }, 'RangeError', 'Expected an integer in [-2, 1] for params.axis (rank 2) but received 2');
      refuses((p) => { p.axis = -3; }, 'RangeError', 'Expected an integer in [-2, 1] for params.axis (rank 2) but received -3');
      refuses((p) => { p.axis = 0.5; }, 'RangeError', 'Expected an integer in [-2, 1] for params.axis (rank 2) but received 0.5');
      refuses((p) => { p.axis = '1'; }, 'TypeError', "Expected a number for params.axis but received '1'");
      refuses((p) => { p.shape = [3, 4]; }, 'RangeError', 'Expected params.scale.length to equal 4 (shape[axis] = 4) but received 3');
      refuses((p) => { p.shape = [5, 3]; }, 'RangeError', 'Expected x.length to equal 15, the product of params.shape [5, 3], but received 12');
      refuses((p) => { p.shape = new Int32Array([4, 3]); }, 'TypeError', 'Expected an array of dimensions for params.shape but received Int32Array(2)');
      refuses((p) => { p.shape = [4, -3]; }, 'RangeError', 'Expected a non-negative integer, or -1 for one dimension taken from the data for params.shape[1] but received -3');
      refuses((p) => { p.shape = []; }, 'RangeError', 'Expected params.shape to have at least one dimension (for params.axis) but received []');
      refuses((p) => { p.blockSize = 0; }, 'RangeError', 'Expected a positive integer for params.blockSize but received 0');
      refuses((p) => { p.blockSize = 1.5; }, 'RangeError', 'Expected a positive integer for params.blockSize but received 1.5');
    });

    it('refuses a wrong out, overlap, and a wrong q', () => {
      refuses(() => ({ out: new Int8Array(11) }), 'RangeError', 'Expected out.length to equal the input length 12 but received 11');
      refuses(() => ({ out: new Uint8Array(12) }), 'TypeError', "Expected an Int8Array (dtype 'int8') for out but received Uint8Array(12)");
      const shared = new ArrayBuffer(48 + 12);
      const xs = new Float32Array(shared, 0, 12);
      xs.set(x);
      assert.throws(() => qk.quantize(xs, base(), new Int8Array(shared, 40, 12)), /Expected out not to overlap the input's memory/);
      const p = base();
      const zs = new Int8Array(16);
      p.zeroPoint = zs.subarray(0, 3);
      assert.throws(() => qk.quantize(x, p, zs.subarray(2, 14)), /Expected out not to overlap the input's memory/);
      assert.deepEqual(Array.from(zs.subarray(3)), new Array(13).fill(0));
      qk.quantize(x, p, zs.subarray(3, 15)); // next to it is fine
      const sbuf = new ArrayBuffer(12 + 12);
      const ps = base();
      ps.scale = new Float32Array(sbuf, 0, 3);
      ps.scale.set([0.5, 1, 2]);
      assert.throws(() => qk.quantize(x, ps, new Int8Array(sbuf, 8, 12)), /Expected out not to overlap the input's memory/);
      refuses(() => ({ q: new Int8Array(11) }), 'RangeError', 'Expected q.length to equal 12, the product of params.shape [4, 3], but received 11', { call: 'dequantize' });
      refuses(() => ({ out: new Float32Array(13) }), 'RangeError', 'Expected out.length to equal the element count 12 but received 13', { call: 'dequantize' });
      refuses((p) => { p.dtype = 'int4'; p.zeroPoint = new Int8Array(3); return { q: new Uint8Array(7) }; }, 'RangeError', "Expected q.length to equal 6 (12 'int4' values packed) but received 7", { call: 'dequantize' });
    });

    it('refuses bad computeParams options', () => {
      assert.throws(() => qk.computeParams(x, { axis: 1, shape: [3, 3] }), { name: 'RangeError', message: 'Expected x.length to equal 9, the product of opts.shape [3, 3], but received 12' });
      assert.throws(() => qk.computeParams(x, { axis: 1 }), { name: 'TypeError', message: 'Expected an array of dimensions for opts.shape but received undefined' });
      assert.throws(() => qk.quantizeDynamic(x, { axis: 0, shape: [12], blockSize: -1 }), { name: 'RangeError', message: 'Expected a positive integer for opts.blockSize but received -1' });
      assert.throws(() => qk.quantizeDynamic(x, { axis: 0, shape: [12], out: new Uint8Array(11) }), { name: 'RangeError', message: 'Expected opts.out.length to equal the input length 12 but received 11' });
    });
  });

  describe('native calls, reached directly', () => {
    const { loadNative } = require('../dist/core/loader');
    const { binding } = loadNative();
    const throwsLike = (fn, name, pattern) => assert.throws(fn, (e) => e.constructor.name === name && pattern.test(e.message));

    it('refuse inconsistent layouts, short arrays, bad parameters and overlap', () => {
      if (!binding) throw new Error('the native addon is needed for this test');
      const x = new Float32Array(12);
      const out = new Uint8Array(12).fill(5);
      const s = new Float32Array(3).fill(1);
      const z = new Int32Array(3);
      throwsLike(() => binding.quantizeAxis(x, out, s, z, 4, 3, 1, 0, 0, 255), 'TypeError', /quantizeAxis takes 11 arguments/);
      throwsLike(() => binding.quantizeAxis(x, out, s, z, 4, 3, 2, 0, 0, 255, 0), 'RangeError', /Expected outer \* axisLength \* inner to equal the data length 12/);
      throwsLike(() => binding.quantizeAxis(x, out, s, z, 2 ** 40, 2 ** 40, 2 ** 40, 0, 0, 255, 0), 'RangeError', /to equal the data length/);
      throwsLike(() => binding.quantizeAxis(x, out, s, z, 1, 12, 1, 0, 0, 255, 0), 'RangeError', /Expected scale.length to equal 12 but received 3/);
      throwsLike(() => binding.quantizeAxis(x, out, s, z, 1, 12, 1, 3, 0, 255, 0), 'RangeError', /Expected scale.length to equal 4 but received 3/);
      throwsLike(() => binding.quantizeAxis(x, out, s, new Int32Array(4), 4, 3, 1, 0, 0, 255, 0), 'RangeError', /Expected zeroPoint.length to equal 3 but received 4/);
      throwsLike(() => binding.quantizeAxis(x, out, s, new Int32Array([0, 256, 0]), 4, 3, 1, 0, 0, 255, 0), 'RangeError', /zeroPoint\[1\] but received 256/);
      throwsLike(() => binding.quantizeAxis(x, out, new Float32Array([1, 0, 1]), z, 4, 3, 1, 0, 0, 255, 0), 'RangeError', /scale\[1\] but received 0/);
      throwsLike(() => binding.quantizeAxis(x, out, s, new Uint32Array(3), 4, 3, 1, 0, 0, 255, 0), 'TypeError', /Expected an Int32Array for zeroPoint/);
      throwsLike(() => binding.quantizeAxis(x, out, s, z, 4, 3, 1, -1, 0, 255, 0), 'RangeError', /blockSize/);
      throwsLike(() => binding.quantizeAxis(x, out, s, z, 4, 3, 1, 0, 0, 256, 0), 'RangeError', /qmax/);
      const zs = new Int32Array(6);
      throwsLike(() => binding.quantizeAxis(x, new Uint8Array(zs.buffer, 4, 12), s, zs.subarray(0, 3), 4, 3, 1, 0, 0, 255, 0), 'RangeError', /overlap/);
      assert.deepEqual(Array.from(out), new Array(12).fill(5));
      const d = new Float32Array(12).fill(5);
      throwsLike(() => binding.dequantizeAxis(out, d, s, z, 4, 3, 1, 2), 'RangeError', /Expected scale.length to equal 8/);
      throwsLike(() => binding.dequantizeAxis(out, d, s, new Int32Array([0, 0, -1]), 4, 3, 1, 0), 'RangeError', /zeroPoint\[2\]/);
      assert.deepEqual(Array.from(d), new Array(12).fill(5));
      throwsLike(() => binding.minMaxAxis(x, new Float64Array(5), 4, 3, 1, 0), 'RangeError', /Expected out.length to be 6/);
      binding.quantizeAxis(x, out, s, z, 4, 3, 1, 0, 0, 255, 0);
      assert.deepEqual(Array.from(out), new Array(12).fill(0));
    });
  });
});
