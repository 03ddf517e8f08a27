// TensorProto <-> typed arrays: what the modes read from initializers and Constant nodes, and
// the tensors they write. Raw data is little-endian (ONNX IR "raw_data"); the typed *_data
// fields are read too, since exporters use both.
import quantkit from '../index';
import { DT, int64, type TensorProto } from './proto';

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(DT).map(([k, v]) => [v, k.toLowerCase()]));
/** The ONNX name of a data type number ('float', 'int8', …; 'type 99' when unknown). */
export function dataTypeName(t: number): string {
  return NAMES[t] ?? `type ${t}`;
}

/** The dims of `t` as numbers. */
export function dimsOf(t: TensorProto): number[] {
  return t.dims.map((d, i) => {
    const n = int64(d, `tensor ${t.name ?? ''} dims[${i}]`);
    if (n < 0) throw new RangeError(`Expected tensor ${t.name ?? ''} dims[${i}] to be >= 0 but received ${n}`);
    return n;
  });
}

/** The element count of `t`. */
export function countOf(t: TensorProto): number {
  return dimsOf(t).reduce((a, b) => a * b, 1);
}

function littleEndianView(t: TensorProto, bytesPer: number, count: number, what: string): DataView {
  const raw = t.rawData!;
  if (raw.length !== count * bytesPer) {
    throw new RangeError(`${what}: raw_data holds ${raw.length} bytes but dims ${JSON.stringify(dimsOf(t))} of ${dataTypeName(t.dataType)} need ${count * bytesPer}`);
  }
  return new DataView(raw.buffer, raw.byteOffset, raw.length);
}

/**
 * The values of a float, float16, bfloat16 or double tensor as float32 (float16/bfloat16 exactly,
 * double rounded to nearest). @throws TypeError naming the tensor for any other data type;
 * RangeError when the stored data does not match the dims.
 */
export function floatValues(t: TensorProto, what: string): Float32Array {
  const n = countOf(t);
  const hasRaw = t.rawData !== undefined && t.rawData.length > 0;
  switch (t.dataType) {
    case DT.FLOAT: {
      if (hasRaw || n === 0) {
        if (!hasRaw) return new Float32Array(0);
        const v = littleEndianView(t, 4, n, what);
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = v.getFloat32(i * 4, true);
        return out;
      }
      const fd = t.floatData ?? [];
      if (fd.length !== n) throw new RangeError(`${what}: float_data holds ${fd.length} values but dims need ${n}`);
      return Float32Array.from(fd);
    }
    case DT.DOUBLE: {
      if (hasRaw) {
        const v = littleEndianView(t, 8, n, what);
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = v.getFloat64(i * 8, true);
        return out;
      }
      const dd = t.doubleData ?? [];
      if (dd.length !== n) throw new RangeError(`${what}: double_data holds ${dd.length} values but dims need ${n}`);
      return Float32Array.from(dd);
    }
    case DT.FLOAT16:
    case DT.BFLOAT16: {
      const bits = new Uint16Array(n);
      if (hasRaw) {
        const v = littleEndianView(t, 2, n, what);
        for (let i = 0; i < n; i++) bits[i] = v.getUint16(i * 2, true);
      } else {
        const id = t.int32Data ?? [];
        if (id.length !== n) throw new RangeError(`${what}: int32_data holds ${id.length} values but dims need ${n}`);
        for (let i = 0; i < n; i++) bits[i] = id[i];
      }
      return t.dataType === DT.BFLOAT16 ? quantkit.fromBFloat16(bits) : quantkit.fromFloat16(bits);
    }
    default:
      throw new TypeError(`${what}: expected a float tensor but it is ${dataTypeName(t.dataType)}`);
  }
}

/** The int64 values of an INT64 tensor (shape inputs, axes) as numbers. */
export function int64Values(t: TensorProto, what: string): number[] {
  if (t.dataType !== DT.INT64 && t.dataType !== DT.INT32) throw new TypeError(`${what}: expected an int64 tensor but it is ${dataTypeName(t.dataType)}`);
  const n = countOf(t);
  if (t.rawData && t.rawData.length > 0) {
    const bytes = t.dataType === DT.INT64 ? 8 : 4;
    const v = littleEndianView(t, bytes, n, what);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(bytes === 8 ? Number(v.getBigInt64(i * 8, true)) : v.getInt32(i * 4, true));
    return out;
  }
  const src = t.dataType === DT.INT64 ? t.int64Data ?? [] : t.int32Data ?? [];
  if (src.length !== n) throw new RangeError(`${what}: holds ${src.length} values but dims need ${n}`);
  return src.map((x, i) => int64(x, `${what}[${i}]`));
}

/** A tensor from raw little-endian bytes (the typed array's bytes on this little-endian host). */
export function makeTensor(name: string, dataType: number, dims: readonly number[], data: ArrayBufferView): TensorProto {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { name, dataType, dims: [...dims], rawData: raw };
}

/** A float32 tensor. */
export const floatTensor = (name: string, dims: readonly number[], values: Float32Array | readonly number[]): TensorProto =>
  makeTensor(name, DT.FLOAT, dims, values instanceof Float32Array ? values : Float32Array.from(values));

/** An int64 tensor (shapes, axes). */
export const int64Tensor = (name: string, dims: readonly number[], values: readonly number[]): TensorProto =>
  makeTensor(name, DT.INT64, dims, BigInt64Array.from(values.map((v) => BigInt(v))));

/** The bytes a tensor's data takes (raw or typed fields), for size reports. */
export function dataBytes(t: TensorProto): number {
  if (t.rawData && t.rawData.length > 0) return t.rawData.length;
  return (t.floatData?.length ?? 0) * 4 + (t.int32Data?.length ?? 0) * 4 + (t.int64Data?.length ?? 0) * 8 + (t.doubleData?.length ?? 0) * 8 + (t.uint64Data?.length ?? 0) * 8;
}
