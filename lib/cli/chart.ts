// The compare chart: SQNR per tensor per scheme as grouped horizontal bars, drawn by Vega-Lite
// (compiled to a Vega spec, rendered to SVG headless: no browser, no canvas).
import type { CompareFileResult } from '../io/convert';

/** The Vega-Lite spec for `result` (exported for tests and for users who render elsewhere). */
export function chartSpec(result: CompareFileResult): Record<string, unknown> {
  const values: Array<{ tensor: string; scheme: string; sqnrDb: number }> = [];
  for (const t of result.tensors) {
    for (const r of t.rows) if (r.skipped === undefined && Number.isFinite(r.sqnrDb)) values.push({ tensor: t.name, scheme: r.scheme, sqnrDb: Math.round(r.sqnrDb * 100) / 100 });
  }
  for (const r of result.total) if (Number.isFinite(r.sqnrDb)) values.push({ tensor: '(whole file)', scheme: r.scheme, sqnrDb: Math.round(r.sqnrDb * 100) / 100 });
  const order = ['(whole file)', ...result.tensors.map((t) => t.name)];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `SQNR per tensor: ${result.file}`, subtitle: 'higher is better (dB); each tensor quantized alone, the file pooled' },
    data: { values },
    mark: { type: 'bar', tooltip: true },
    width: 560,
    encoding: {
      y: { field: 'tensor', type: 'nominal', sort: order, title: null, axis: { labelLimit: 320 } },
      yOffset: { field: 'scheme', type: 'nominal' },
      x: { field: 'sqnrDb', type: 'quantitative', title: 'SQNR (dB)' },
      color: { field: 'scheme', type: 'nominal', title: 'scheme' },
    },
    config: { view: { stroke: null } },
  };
}

/** `result` as an SVG document. */
export async function renderChart(result: CompareFileResult): Promise<string> {
  // vega and vega-lite are ES modules: loaded on demand, only when a chart is asked for.
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const { spec } = vl.compile(chartSpec(result) as never);
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
