// The compare chart: SQNR per tensor per scheme as grouped horizontal bars, drawn by Vega-Lite
// (compiled to a Vega spec, rendered to SVG headless: no browser, no canvas).
import type { CompareFileResult } from '../io/convert';

/**
 * The Vega-Lite spec for `result` (exported for tests and for users who render elsewhere): the
 * whole file, then the first `top` tensors (all when undefined) in the result's order; bars
 * coloured by scheme, faded where the scheme fell back to another ggml type (named in the
 * tooltip), schemes in the whole-file table's order.
 */
export function chartSpec(result: CompareFileResult, top?: number): Record<string, unknown> {
  const values: Array<{ tensor: string; scheme: string; storedAs: string; fallback: boolean; sqnrDb: number }> = [];
  const order = result.total.map((r) => r.scheme);
  for (const r of result.total) {
    if (!Number.isFinite(r.sqnrDb)) continue;
    const fb = Object.keys(r.fallbacks);
    values.push({ tensor: '(whole file)', scheme: r.scheme, storedAs: r.allFellBack ? fb.join(', ') : fb.length ? `${r.scheme} and ${fb.join(', ')}` : r.scheme, fallback: r.allFellBack, sqnrDb: Math.round(r.sqnrDb * 100) / 100 });
  }
  const tensors = top === undefined ? result.tensors : result.tensors.slice(0, top);
  for (const t of tensors) {
    for (const r of t.rows) {
      if (r.skipped !== undefined || !Number.isFinite(r.sqnrDb)) continue;
      values.push({ tensor: t.name, scheme: r.scheme, storedAs: r.storedAs ?? r.scheme, fallback: r.storedAs !== undefined, sqnrDb: Math.round(r.sqnrDb * 100) / 100 });
    }
  }
  const fallbacks = values.some((v) => v.fallback);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `SQNR per tensor: ${result.file}`,
      subtitle: [
        `higher is better (dB); each tensor quantized alone, the file pooled${tensors.length < result.tensors.length ? `; ${tensors.length} of ${result.tensors.length} tensors` : ''}`,
        ...(fallbacks ? ['faded bars: the ggml scheme does not fit those rows; they show the fallback type llama.cpp would store (see the tooltip)'] : []),
      ],
    },
    data: { values },
    mark: { type: 'bar' },
    width: 560,
    encoding: {
      y: { field: 'tensor', type: 'nominal', sort: ['(whole file)', ...tensors.map((t) => t.name)], title: null, axis: { labelLimit: 320 } },
      yOffset: { field: 'scheme', type: 'nominal', sort: order },
      x: { field: 'sqnrDb', type: 'quantitative', title: 'SQNR (dB)' },
      color: { field: 'scheme', type: 'nominal', title: 'scheme', sort: order },
      opacity: { condition: { test: 'datum.fallback', value: 0.3 }, value: 1 },
      tooltip: [{ field: 'tensor' }, { field: 'scheme' }, { field: 'storedAs', title: 'stored as' }, { field: 'sqnrDb', title: 'SQNR dB' }],
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
