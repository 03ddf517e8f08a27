// The ONNX protobuf schema (onnx/onnx.proto, IR version 11) as a protobufjs reflection root.
// protobufjs is the codec; this file only declares the messages' field numbers and types, so
// every field a current exporter writes is read and written back (protobufjs drops fields it
// does not know; this schema knows all of IR 11's). Field names are protobufjs' camelCase of
// the proto's snake_case names. Enums are declared as int32 so that data types newer than this
// file (ONNX adds them) pass through unchanged instead of failing a lookup.
import * as protobuf from 'protobufjs';

type FieldSpec = { type: string; id: number; rule?: 'repeated'; options?: Record<string, unknown> };
const f = (type: string, id: number): FieldSpec => ({ type, id });
const r = (type: string, id: number, packed?: boolean): FieldSpec => ({ type, id, rule: 'repeated', ...(packed === undefined ? {} : { options: { packed } }) });

const strEntries = (id: number) => r('StringStringEntryProto', id);

const SCHEMA = {
  nested: {
    onnx: {
      options: { syntax: 'proto2' },
      nested: {
        StringStringEntryProto: { fields: { key: f('string', 1), value: f('string', 2) } },
        OperatorSetIdProto: { fields: { domain: f('string', 1), version: f('int64', 2) } },
        AttributeProto: {
          fields: {
            name: f('string', 1), refAttrName: f('string', 21), docString: f('string', 13), type: f('int32', 20),
            f: f('float', 2), i: f('int64', 3), s: f('bytes', 4), t: f('TensorProto', 5), g: f('GraphProto', 6),
            sparseTensor: f('SparseTensorProto', 22), tp: f('TypeProto', 14),
            floats: r('float', 7, false), ints: r('int64', 8, false), strings: r('bytes', 9), tensors: r('TensorProto', 10),
            graphs: r('GraphProto', 11), sparseTensors: r('SparseTensorProto', 23), typeProtos: r('TypeProto', 15),
          },
        },
        ValueInfoProto: { fields: { name: f('string', 1), type: f('TypeProto', 2), docString: f('string', 3), metadataProps: strEntries(4) } },
        NodeProto: {
          fields: {
            input: r('string', 1), output: r('string', 2), name: f('string', 3), opType: f('string', 4), domain: f('string', 7),
            overload: f('string', 8), attribute: r('AttributeProto', 5), docString: f('string', 6), metadataProps: strEntries(9),
            deviceConfigurations: r('NodeDeviceConfigurationProto', 10),
          },
        },
        IntIntListEntryProto: { fields: { key: f('int64', 1), value: r('int64', 2, false) } },
        NodeDeviceConfigurationProto: { fields: { configurationId: f('string', 1), shardingSpec: r('ShardingSpecProto', 2), pipelineStage: f('int32', 3) } },
        ShardingSpecProto: { fields: { tensorName: f('string', 1), device: r('int64', 2, false), indexToDeviceGroupMap: r('IntIntListEntryProto', 3), shardedDim: r('ShardedDimProto', 4) } },
        ShardedDimProto: { fields: { axis: f('int64', 1), simpleSharding: r('SimpleShardedDimProto', 2) } },
        SimpleShardedDimProto: { oneofs: { dim: { oneof: ['dimValue', 'dimParam'] } }, fields: { dimValue: f('int64', 1), dimParam: f('string', 2), numShards: f('int64', 3) } },
        TrainingInfoProto: { fields: { initialization: f('GraphProto', 1), algorithm: f('GraphProto', 2), initializationBinding: strEntries(3), updateBinding: strEntries(4) } },
        ModelProto: {
          fields: {
            irVersion: f('int64', 1), opsetImport: r('OperatorSetIdProto', 8), producerName: f('string', 2), producerVersion: f('string', 3),
            domain: f('string', 4), modelVersion: f('int64', 5), docString: f('string', 6), graph: f('GraphProto', 7),
            metadataProps: strEntries(14), trainingInfo: r('TrainingInfoProto', 20), functions: r('FunctionProto', 25),
            configuration: r('DeviceConfigurationProto', 26),
          },
        },
        DeviceConfigurationProto: { fields: { name: f('string', 1), numDevices: f('int32', 2), device: r('string', 3) } },
        TensorAnnotation: { fields: { tensorName: f('string', 1), quantParameterTensorNames: strEntries(2) } },
        GraphProto: {
          fields: {
            node: r('NodeProto', 1), name: f('string', 2), initializer: r('TensorProto', 5), sparseInitializer: r('SparseTensorProto', 15),
            docString: f('string', 10), input: r('ValueInfoProto', 11), output: r('ValueInfoProto', 12), valueInfo: r('ValueInfoProto', 13),
            quantizationAnnotation: r('TensorAnnotation', 14), metadataProps: strEntries(16),
          },
        },
        TensorProto: {
          nested: { Segment: { fields: { begin: f('int64', 1), end: f('int64', 2) } } },
          fields: {
            dims: r('int64', 1, false), dataType: f('int32', 2), segment: f('Segment', 3), floatData: r('float', 4, true),
            int32Data: r('int32', 5, true), stringData: r('bytes', 6), int64Data: r('int64', 7, true), name: f('string', 8),
            docString: f('string', 12), rawData: f('bytes', 9), externalData: strEntries(13), dataLocation: f('int32', 14),
            doubleData: r('double', 10, true), uint64Data: r('uint64', 11, true), metadataProps: strEntries(16),
          },
        },
        SparseTensorProto: { fields: { values: f('TensorProto', 1), indices: f('TensorProto', 2), dims: r('int64', 3, false) } },
        TensorShapeProto: {
          nested: {
            Dimension: { oneofs: { value: { oneof: ['dimValue', 'dimParam'] } }, fields: { dimValue: f('int64', 1), dimParam: f('string', 2), denotation: f('string', 3) } },
          },
          fields: { dim: r('Dimension', 1) },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType', 'sequenceType', 'mapType', 'optionalType', 'sparseTensorType', 'opaqueType'] } },
          nested: {
            Tensor: { fields: { elemType: f('int32', 1), shape: f('TensorShapeProto', 2) } },
            Sequence: { fields: { elemType: f('TypeProto', 1) } },
            Map: { fields: { keyType: f('int32', 1), valueType: f('TypeProto', 2) } },
            Optional: { fields: { elemType: f('TypeProto', 1) } },
            SparseTensor: { fields: { elemType: f('int32', 1), shape: f('TensorShapeProto', 2) } },
            Opaque: { fields: { domain: f('string', 1), name: f('string', 2) } },
          },
          fields: {
            tensorType: f('Tensor', 1), sequenceType: f('Sequence', 4), mapType: f('Map', 5), optionalType: f('Optional', 9),
            sparseTensorType: f('SparseTensor', 8), opaqueType: f('Opaque', 7), denotation: f('string', 6),
          },
        },
        FunctionProto: {
          fields: {
            name: f('string', 1), input: r('string', 4), output: r('string', 5), attribute: r('string', 6), attributeProto: r('AttributeProto', 11),
            node: r('NodeProto', 7), docString: f('string', 8), opsetImport: r('OperatorSetIdProto', 9), domain: f('string', 10),
            overload: f('string', 13), valueInfo: r('ValueInfoProto', 12), metadataProps: strEntries(14),
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(SCHEMA as protobuf.INamespace);
/** The ModelProto message type. */
export const ModelType = root.lookupType('onnx.ModelProto');
/** The TensorProto message type (for one-node test graphs and external-data checks). */
export const TensorType = root.lookupType('onnx.TensorProto');

/** An int64 as protobufjs decodes it (a Long) or as we write it (a number). */
export type Int64 = number | { toNumber(): number; low: number; high: number };
/** A safe integer from an int64 field; RangeError naming `what` past 2^53. */
export function int64(v: Int64 | null | undefined, what: string): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = v.toNumber();
  if (!Number.isSafeInteger(n)) throw new RangeError(`Expected ${what} to be a safe integer but received ${String(v)}`);
  return n;
}

// The parts of the messages quantkit reads and writes, typed loosely: the decoded objects carry
// every other field and are encoded back as they are.
export interface StringEntry { key: string; value: string }
export interface OpsetId { domain?: string; version: Int64 }
export interface TensorProto {
  name?: string; dims: Int64[]; dataType: number; rawData?: Uint8Array; floatData?: number[]; int32Data?: number[];
  int64Data?: Int64[]; doubleData?: number[]; uint64Data?: Int64[]; stringData?: Uint8Array[];
  externalData?: StringEntry[]; dataLocation?: number; docString?: string; segment?: unknown;
}
export interface AttributeProto {
  name: string; type: number; f?: number; i?: Int64; s?: Uint8Array; t?: TensorProto; g?: GraphProto;
  floats?: number[]; ints?: Int64[]; strings?: Uint8Array[]; tensors?: TensorProto[]; graphs?: GraphProto[];
}
export interface NodeProto { input: string[]; output: string[]; name?: string; opType: string; domain?: string; attribute: AttributeProto[]; docString?: string }
export interface Dimension { dimValue?: Int64; dimParam?: string; denotation?: string }
export interface TypeProto { tensorType?: { elemType: number; shape?: { dim: Dimension[] } }; [k: string]: unknown }
export interface ValueInfoProto { name: string; type?: TypeProto; docString?: string }
export interface GraphProto {
  node: NodeProto[]; name?: string; initializer: TensorProto[]; sparseInitializer?: unknown[]; input: ValueInfoProto[];
  output: ValueInfoProto[]; valueInfo: ValueInfoProto[]; docString?: string; quantizationAnnotation?: unknown[];
}
export interface ModelProto {
  irVersion: Int64; opsetImport: OpsetId[]; producerName?: string; producerVersion?: string; domain?: string;
  modelVersion?: Int64; docString?: string; graph: GraphProto; metadataProps: StringEntry[]; functions?: unknown[];
}

/** ONNX TensorProto.DataType values used here. */
export const DT = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11,
  UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16, FLOAT8E4M3FN: 17, FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19, FLOAT8E5M2FNUZ: 20, UINT4: 21, INT4: 22, FLOAT4E2M1: 23, FLOAT8E8M0: 24,
} as const;
/** AttributeProto.AttributeType values. */
export const AT = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10 } as const;

/**
 * Decodes ONNX model bytes. @throws Error "not an ONNX model" (with protobufjs' reason) when the
 * bytes are not a ModelProto, or carry no graph.
 */
export function decodeModel(bytes: Uint8Array, what: string): ModelProto {
  let m: ModelProto;
  try {
    m = ModelType.decode(bytes) as unknown as ModelProto;
  } catch (e) {
    const msg = (e as Error).message;
    const hint = /index out of range/.test(msg) ? `: it ends inside a field, as a truncated file does (${bytes.length} bytes)` : '';
    throw new Error(`${what} is not an ONNX model (the protobuf does not decode: ${msg}${hint})`);
  }
  if (!m.graph || !Array.isArray(m.graph.node)) throw new Error(`${what} is not an ONNX model (no graph)`);
  if (m.opsetImport.length === 0) throw new Error(`${what} is not an ONNX model (no opset_import)`);
  return m;
}

/** Encodes a model to bytes. */
export function encodeModel(m: ModelProto): Uint8Array {
  return ModelType.encode(m as unknown as protobuf.Message).finish();
}
