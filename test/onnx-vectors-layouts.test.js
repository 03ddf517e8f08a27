'use strict';
// ONNX's published vectors for per-axis, blocked and packed sub-byte QuantizeLinear /
// DequantizeLinear (test/support/onnx-vectors-layouts.js): first each one through ONNX
// Runtime (the harness proves the transcription), then through quantkit's public API
// (AxisParams for per-axis and blocked, packed Uint8Array bytes for the sub-byte types).
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { buildModel, castOutputToInt8 } = require('./support/onnx-graphs');
const vectors = require('./support/onnx-vectors-layouts');

// ONNX TensorProto.DataType codes.
const ONNX = { uint8: 2, int8: 3, uint16: 4, int16: 5, uint4: 21, int4: 22, uint2: 25, int2: 26 };
const FLOAT = 1;
const WIDTH = { uint4: 4, int4: 4, uint2: 2, int2: 2 };
const CONTAINER = { uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array };
// AxisParams.zeroPoint holds one value per entry: the container, or unpack's type.
const ZERO = { ...CONTAINER, uint4: Uint8Array, int4: Int8Array, uint2: Uint8Array, int2: Int8Array };

const isPacked = (dtype) => WIDTH[dtype] !== undefined;
const perTensor = (v) => v.axis === undefined;

/** Element i's bits at (i·b) mod 8 of byte floor(i·b/8) (ONNX's order), bit by bit. */
function packRef(values, b) {
  const out = new Uint8Array(Math.ceil((values.length * b) / 8));
  for (let i = 0; i < values.length; i++) {
    for (let k = 0; k < b; k++) {
      const bit = Math.floor((((values[i] % 2 ** b) + 2 ** b) % 2 ** b) / 2 ** k) % 2;
      const pos = i * b + k;
      out[Math.floor(pos / 8)] += bit * 2 ** (pos % 8);
    }
  }
  return out;
}

/** The scale / zero point shape: [] per-tensor, [D] per-axis, the blocked shape. */
function paramShape(v) {
  if (perTensor(v)) return [];
  const ax = (v.axis + v.shape.length) % v.shape.length;
  if (v.blockSize === undefined) return [v.shape[ax]];
  return v.shape.map((d, j) => (j === ax ? Math.ceil(d / v.blockSize) : d));
}

/** A tensor of dtype as an initializer: packed types as raw_data, the others in int32_data. */
function intInitializer(name, dtype, dims, values) {
  return isPacked(dtype)
    ? { name, dataType: ONNX[dtype], dims, rawData: packRef(values, WIDTH[dtype]) }
    : { name, dataType: ONNX[dtype], dims, int32Data: values };
}

/** The vector's parameters as quantkit takes them. */
function paramsOf(v) {
  if (perTensor(v)) return { scale: v.scale, zeroPoint: v.zeroPoint, dtype: v.dtype };
  const p = { scale: Float32Array.from(v.scale), axis: v.axis, shape: v.shape, dtype: v.dtype };
  if (v.blockSize !== undefined) p.blockSize = v.blockSize;
  if (v.zeroPoint !== undefined) p.zeroPoint = ZERO[v.dtype].from(v.zeroPoint);
  return p;
}

const describeVector = (v) =>
  `${v.name} (${v.dtype}${perTensor(v) ? '' : `, shape [${v.shape}], axis ${v.axis}`}${v.blockSize ? `, blockSize ${v.blockSize}` : ''})`;

describe('ONNX published vectors: per-axis, blocked and packed layouts', function () {
  this.timeout(60000);

  describe('harness: each vector through ONNX Runtime', function () {
    let ort;
    let onnx;
    before(() => {
      ort = require('onnxruntime-node');
      ({ onnx } = require('onnx-proto'));
    });

    // One QuantizeLinear / DequantizeLinear node as the source builds it (axis, block_size,
    // output_dtype when there is no zero point). onnxruntime-node cannot pass sub-byte tensors
    // across its JS boundary, so they stay inside the graph: QuantizeLinear's packed output
    // goes through Cast to int8, and DequantizeLinear's packed input is an initializer.
    async function run(op, v) {
      const quantize = op === 'QuantizeLinear';
      const packed = isPacked(v.dtype);
      const pshape = paramShape(v);
      const scale = perTensor(v) ? [v.scale] : v.scale;
      const initializers = [{ name: 's', dataType: FLOAT, dims: pshape, floatData: scale }];
      const nodeInputs = [quantize ? 'x' : 'q', 's'];
      if (v.zeroPoint !== undefined) {
        initializers.push(intInitializer('z', v.dtype, pshape, perTensor(v) ? [v.zeroPoint] : v.zeroPoint));
        nodeInputs.push('z');
      }
      const inputs = [];
      if (quantize) inputs.push({ name: 'x', elemType: FLOAT, dims: v.shape });
      else if (packed) initializers.push(intInitializer('q', v.dtype, v.shape, v.x));
      else inputs.push({ name: 'q', elemType: ONNX[v.dtype], dims: v.shape });
      const model = onnx.ModelProto.decode(buildModel({
        opType: op,
        opset: WIDTH[v.dtype] === 2 ? 25 : 21, // 2-bit types are opset 25; ORT 1.30 runs both
        nodeInputs,
        nodeOutputs: ['y'],
        inputs,
        outputs: [{ name: 'y', elemType: quantize ? ONNX[v.dtype] : FLOAT, dims: v.shape }],
        initializers,
      }));
      const attribute = [];
      if (v.axis !== undefined) attribute.push({ name: 'axis', type: 2, i: v.axis });
      if (v.blockSize !== undefined) attribute.push({ name: 'block_size', type: 2, i: v.blockSize });
      if (quantize && v.zeroPoint === undefined) attribute.push({ name: 'output_dtype', type: 2, i: ONNX[v.dtype] });
      model.graph.node[0].attribute = attribute;
      if (quantize && packed) {
        castOutputToInt8(model);
      }
      const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish());
      try {
        const feeds = {};
        if (quantize) feeds.x = new ort.Tensor('float32', Float32Array.from(v.x), v.shape);
        else if (!packed) feeds.q = new ort.Tensor(v.dtype, CONTAINER[v.dtype].from(v.x), v.shape);
        return Array.from((await session.run(feeds)).y.data);
      } finally {
        await session.release();
      }
    }

    for (const v of vectors.QUANTIZE) {
      it(`QuantizeLinear ${describeVector(v)}`, async () => {
        assert.deepEqual(await run('QuantizeLinear', v), v.y);
      });
    }
    for (const v of vectors.DEQUANTIZE) {
      it(`DequantizeLinear ${describeVector(v)}`, async () => {
        assert.deepEqual(await run('DequantizeLinear', v), v.y);
      });
    }
  });

  describe(`quantkit (${qk.backend.name}/${qk.backend.isa})`, () => {
    for (const v of vectors.QUANTIZE) {
      it(`quantize ${describeVector(v)}`, () => {
        const x = Float32Array.from(v.x);
        const q = qk.quantize(x, paramsOf(v));
        if (isPacked(v.dtype)) {
          assert.ok(q instanceof Uint8Array);
          assert.deepEqual(Array.from(q), Array.from(packRef(v.y, WIDTH[v.dtype])), 'packed bytes');
          assert.deepEqual(Array.from(qk.unpack(q, v.dtype, v.y.length)), v.y);
        } else {
          assert.ok(q instanceof CONTAINER[v.dtype]);
          assert.deepEqual(Array.from(q), v.y);
        }
        // The same through a Float64Array (read as float32, SPEC §2.6) and into an `out`.
        const out = new (isPacked(v.dtype) ? Uint8Array : CONTAINER[v.dtype])(q.length + 1).subarray(1);
        assert.equal(qk.quantize(Float64Array.from(v.x), paramsOf(v), out), out);
        assert.deepEqual(Array.from(out), Array.from(q));
      });
    }
    for (const v of vectors.DEQUANTIZE) {
      it(`dequantize ${describeVector(v)}`, () => {
        const n = v.x.length;
        const q = isPacked(v.dtype) ? packRef(v.x, WIDTH[v.dtype]) : CONTAINER[v.dtype].from(v.x);
        const p = paramsOf(v);
        const y = qk.dequantize(q, perTensor(v) && isPacked(v.dtype) ? { ...p, count: n } : p);
        assert.ok(y instanceof Float32Array);
        assert.deepEqual(Array.from(y), v.y);
        const out = new Float32Array(n + 1).subarray(1);
        assert.equal(qk.dequantize(q, p, out), out);
        assert.deepEqual(Array.from(out), v.y);
      });
    }
  });
});
