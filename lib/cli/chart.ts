// The compare chart: SQNR per tensor per scheme as grouped horizontal bars, drawn by Vega-Lite
// (compiled to a Vega spec, rendered to SVG headless: no browser, no canvas).
import type { CompareFileResult } from '../io/convert';

/**
 * The Vega-Lite spec for `result` (exported for tests and for users who render elsewhere): the
 * whole file, then the first `top` tensors (all when undefined) in the result's order; a row
 * measured in a ggml fallback type is labelled with it ("q4_k (as f16)").
 */
export function chartSpec(result: CompareFileResult, top?: number): Record<string, unknown> {
  const values: Array<{ tensor: string; scheme: string; sqnrDb: number }> = [];
  const label = (scheme: string, storedAs?: string) => (storedAs ? `${scheme} (as ${storedAs})` : scheme);
  const order: string[] = [];
  const add = (s: string) => {
    if (!order.includes(s)) order.push(s);
  };
  for (const r of result.total) {
    if (!Number.isFinite(r.sqnrDb)) continue;
    const s = r.allFellBack ? label(r.scheme, Object.keys(r.fallbacks).join('/')) : r.scheme;
    add(s);
    values.push({ tensor: '(whole file)', scheme: s, sqnrDb: Math.round(r.sqnrDb * 100) / 100 });
  }
  const tensors = top === undefined ? result.tensors : result.tensors.slice(0, top);
  for (const t of tensors) {
    for (const r of t.rows) {
      if (r.skipped !== undefined || !Number.isFinite(r.sqnrDb)) continue;
      const s = label(r.scheme, r.storedAs);
      add(s);
      values.push({ tensor: t.name, scheme: s, sqnrDb: Math.round(r.sqnrDb * 100) / 100 });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `SQNR per tensor: ${result.file}`, subtitle: `higher is better (dB); each tensor quantized alone, the file pooled${tensors.length < result.tensors.length ? `; ${tensors.length} of ${result.tensors.length} tensors` : ''}` },
    data: { values },
    mark: { type: 'bar', tooltip: true },
    width: 560,
    encoding: {
      y: { field: 'tensor', type: 'nominal', sort: ['(whole file)', ...tensors.map((t) => t.name)], title: null, axis: { labelLimit: 320 } },
      yOffset: { field: 'scheme', type: 'nominal', sort: order },
      x: { field: 'sqnrDb', type: 'quantitative', title: 'SQNR (dB)' },
      color: { field: 'scheme', type: 'nominal', title: 'scheme', sort: order },
    },
    config: { view: { stroke: null } },
  };
}

/** `result` as an SVG document. */
export async function renderChart(result: CompareFileResult, top?: number): Promise<string> {
  // vega and vega-lite are ES modules: loaded on demand, only when a chart is asked for.
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const { spec } = vl.compile(chartSpec(result, top) as never);
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
