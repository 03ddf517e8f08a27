// Graph surgery shared by the modes: walking subgraphs, finding constant weights (initializers
// and Constant nodes, the two ways exporters store them: PaddleOCR and Silero VAD keep every
// weight in Constant nodes), names that collide with nothing, attributes and opsets.
import { AT, int64, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './proto';

/** One graph of the model: the main graph (parent undefined) or a subgraph of a node's attribute. */
export interface GraphScope {
  graph: GraphProto;
  parent?: GraphScope;
  /** Where it sits: 'main' or 'NODE.attr' path, for messages. */
  path: string;
}

/** Every graph of the model, the main graph first, then subgraphs depth first. */
export function allGraphs(model: ModelProto): GraphScope[] {
  const out: GraphScope[] = [];
  const visit = (scope: GraphScope): void => {
    out.push(scope);
    for (const node of scope.graph.node) {
      for (const a of node.attribute) {
        const subs = a.g ? [a.g] : a.graphs ?? [];
        subs.forEach((g, k) => visit({ graph: g, parent: scope, path: `${scope.path} > ${nodeLabel(node)}.${a.name}${a.g ? '' : `[${k}]`}` }));
      }
    }
  };
  visit({ graph: model.graph, path: 'main' });
  return out;
}

/** A node's name, or its op type and first output when it has none. */
export function nodeLabel(node: NodeProto): string {
  return node.name ? node.name : `${node.opType}(${node.output[0] ?? ''})`;
}

/** A constant tensor and where it is stored. */
export interface ConstantSource {
  tensor: TensorProto;
  /** The Constant node that produces it, or undefined for an initializer. */
  node?: NodeProto;
  scope: GraphScope;
}

/**
 * The constant `name` as seen from `scope`: an initializer or a Constant node's `value` in this
 * graph or an enclosing one (ONNX's lexical scoping), unless a graph input or a node output of a
 * nearer graph shadows it. Undefined when `name` is not a constant.
 */
export function findConstant(scope: GraphScope, name: string): ConstantSource | undefined {
  for (let s: GraphScope | undefined = scope; s; s = s.parent) {
    const init = s.graph.initializer.find((t) => t.name === name);
    if (init) {
      // An initializer that is also a graph input can be overridden by a feed: not a constant.
      if (s.graph.input.some((i) => i.name === name)) return undefined;
      return { tensor: init, scope: s };
    }
    for (const node of s.graph.node) {
      if (!node.output.includes(name)) continue;
      if (node.opType === 'Constant' && (node.domain ?? '') === '') {
        const v = node.attribute.find((a) => a.name === 'value' && a.t);
        return v?.t ? { tensor: v.t, node, scope: s } : undefined;
      }
      return undefined;
    }
    if (s.graph.input.some((i) => i.name === name)) return undefined;
  }
  return undefined;
}

/** Every use of each value name in `scope`'s graph, counting uses inside its subgraphs. */
export function usesOf(graph: GraphProto): Map<string, NodeProto[]> {
  const uses = new Map<string, NodeProto[]>();
  const add = (name: string, node: NodeProto): void => {
    if (!name) return;
    const l = uses.get(name);
    if (l) l.push(node);
    else uses.set(name, [node]);
  };
  const inner = (g: GraphProto, owner: NodeProto): void => {
    for (const n of g.node) {
      for (const i of n.input) add(i, owner);
      for (const a of n.attribute) for (const sg of a.g ? [a.g] : a.graphs ?? []) inner(sg, owner);
    }
    for (const o of g.output) add(o.name, owner);
  };
  for (const node of graph.node) {
    for (const i of node.input) add(i, node);
    for (const a of node.attribute) for (const sg of a.g ? [a.g] : a.graphs ?? []) inner(sg, node);
  }
  return uses;
}

/** Names in use anywhere in the model (values, nodes, initializers), to make new ones that collide with none. */
export class Names {
  private readonly taken = new Set<string>();
  constructor(model: ModelProto) {
    for (const { graph } of allGraphs(model)) {
      for (const t of graph.initializer) this.taken.add(t.name ?? '');
      for (const v of [...graph.input, ...graph.output, ...graph.valueInfo]) this.taken.add(v.name);
      for (const n of graph.node) {
        if (n.name) this.taken.add(n.name);
        for (const o of n.output) this.taken.add(o);
        for (const i of n.input) this.taken.add(i);
      }
    }
  }
  /** `base`, or `base_1`, `base_2`, … : the first not yet taken; taken from now on. */
  make(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }
}

/** The attribute `name` of `node`, or undefined. */
export function getAttr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}
/** An int attribute's value, or `dflt`. */
export function intAttr(node: NodeProto, name: string, dflt: number): number {
  const a = getAttr(node, name);
  return a && a.i !== undefined && a.i !== null ? int64(a.i, `${nodeLabel(node)}.${name}`) : dflt;
}
/** A float attribute's value, or `dflt`. */
export function floatAttr(node: NodeProto, name: string, dflt: number): number {
  const a = getAttr(node, name);
  return a && typeof a.f === 'number' ? a.f : dflt;
}
/** An ints attribute's values, or undefined. */
export function intsAttr(node: NodeProto, name: string): number[] | undefined {
  const a = getAttr(node, name);
  return a?.ints ? a.ints.map((v, i) => int64(v, `${nodeLabel(node)}.${name}[${i}]`)) : undefined;
}
/** A string attribute's value, or `dflt`. */
export function stringAttr(node: NodeProto, name: string, dflt: string): string {
  const a = getAttr(node, name);
  return a?.s ? Buffer.from(a.s).toString('utf8') : dflt;
}

export const attrInt = (name: string, i: number): AttributeProto => ({ name, type: AT.INT, i });
export const attrFloat = (name: string, f: number): AttributeProto => ({ name, type: AT.FLOAT, f });
export const attrInts = (name: string, ints: readonly number[]): AttributeProto => ({ name, type: AT.INTS, ints: [...ints] });
export const attrString = (name: string, s: string): AttributeProto => ({ name, type: AT.STRING, s: Buffer.from(s, 'utf8') });
export const attrTensor = (name: string, t: TensorProto): AttributeProto => ({ name, type: AT.TENSOR, t });

/** A node. */
export function makeNode(opType: string, inputs: readonly string[], outputs: readonly string[], name: string, attrs: AttributeProto[] = [], domain = ''): NodeProto {
  const n: NodeProto = { opType, input: [...inputs], output: [...outputs], name, attribute: attrs };
  if (domain) n.domain = domain;
  return n;
}

/** The model's opset version for `domain` ('' and 'ai.onnx' are the default domain), or undefined. */
export function opsetOf(model: ModelProto, domain = ''): number | undefined {
  const want = domain === 'ai.onnx' ? '' : domain;
  const o = model.opsetImport.find((x) => ((x.domain ?? '') === 'ai.onnx' ? '' : x.domain ?? '') === want);
  return o ? int64(o.version, `opset_import ${domain || 'ai.onnx'}`) : undefined;
}

/** Imports `domain` at `version` when the model does not import it yet (for com.microsoft ops). */
export function ensureOpset(model: ModelProto, domain: string, version: number): void {
  if (opsetOf(model, domain) === undefined) model.opsetImport.push({ domain, version });
}

/**
 * Removes initializers and Constant nodes of `graph` that nothing uses any more (after their
 * users were rewired), keeping graph outputs. Returns how many were removed.
 */
export function removeUnusedConstants(graph: GraphProto): number {
  const uses = usesOf(graph);
  const outputs = new Set(graph.output.map((o) => o.name));
  const used = (n: string): boolean => outputs.has(n) || (uses.get(n)?.length ?? 0) > 0;
  const before = graph.initializer.length + graph.node.length;
  graph.initializer = graph.initializer.filter((t) => used(t.name ?? '') || graph.input.some((i) => i.name === t.name));
  graph.node = graph.node.filter((n) => !(n.opType === 'Constant' && (n.domain ?? '') === '' && n.output.every((o) => !used(o))));
  return before - graph.initializer.length - graph.node.length;
}

/** Inserts `nodes` just before `before` in `graph` (keeps the list topologically sorted). */
export function insertBefore(graph: GraphProto, before: NodeProto, nodes: NodeProto[]): void {
  const k = graph.node.indexOf(before);
  if (k < 0) throw new Error(`internal: node ${nodeLabel(before)} is not in the graph`);
  graph.node.splice(k, 0, ...nodes);
}

/** Inserts `nodes` just after `after` in `graph`. */
export function insertAfter(graph: GraphProto, after: NodeProto, nodes: NodeProto[]): void {
  const k = graph.node.indexOf(after);
  if (k < 0) throw new Error(`internal: node ${nodeLabel(after)} is not in the graph`);
  graph.node.splice(k + 1, 0, ...nodes);
}
