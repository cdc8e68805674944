/**
 * Metric lines of many runs: traces (one a run, or beyond `LEGEND_MAX` runs a few
 * batched ones; WebGL beyond `GL_THRESHOLD` runs), the loading of one chart's series
 * after another, and the run finder that replaces the legend.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IChartSeries, ITrialComponent } from '../api/types';
import { PLOTLY_COLOURS, smooth } from '../components/figures';
import { PlotData } from '../components/Plot';
import { CompareModel } from '../models/compare';

/**
 * Above this many runs a chart draws with plotly's `scattergl` (WebGL), else SVG.
 * Measured in the Galata Chromium (headless, software GL) on a bare page, 157-entry
 * lines (10,000 steps as the route sends them), `Plotly.newPlot` to the next frame,
 * median of 5 (`perf.spec.ts`, "plotly: …"), 2026-12-07 at a load average of 5–7 on
 * 2 cores: 100/500/1,000 lines drew in 86/267/416 ms as SVG with one trace a run, in
 * 982/1,821/3,648 ms as WebGL with one trace a run (plotly sets up each WebGL trace
 * on its own), in 26/59/111 ms as SVG batched into 10 traces (as `lineTraces` does
 * beyond `LEGEND_MAX` runs; building them took ≤ 18 ms) and in 505/1,562/3,128 ms as
 * WebGL batched. So every comparison (at most 1,000 runs) draws as SVG; the threshold
 * is there for a browser with a GPU, where the balance may differ.
 */
export const GL_THRESHOLD = 1000;
/**
 * Above this many runs the legend is off; the run finder highlights runs instead, and
 * the runs' lines are batched into one trace a colour.
 */
export const LEGEND_MAX = 20;
/**
 * The colours of batched lines (plotly's default colorway): run i draws in colour
 * i modulo their number, in one trace with the other runs of that colour.
 */
export const BATCH_COLORS = PLOTLY_COLOURS;
/** Charts whose series are asked at once; the rest wait, so the first draws first. */
export const CHART_CONCURRENCY = 2;
/** Most matches the run finder lists. */
const FINDER_MATCHES = 20;

/**
 * The runs' lines of one metric, by step: one trace a run up to `LEGEND_MAX` runs;
 * beyond, a few traces (plotly's time grows with the traces, not the points).
 *
 * Batched, the runs of each colour of `BATCH_COLORS` are one `lines` trace, each run's
 * (smoothed) points followed by a null so the runs' lines are not joined, and the
 * runs with a single point one `markers` trace; each point's `text` is its run's name,
 * which the hover shows. Highlighted runs are left out of these and drawn as traces of
 * their own, bold, over the faded rest.
 *
 * Args:
 *   series: The runs' series of one metric.
 *   labels: Run name → the name shown.
 *   smoothing: Weight of the moving average (0: none), applied to each run alone.
 *   highlighted: Runs drawn bold, the others faded (none: all alike).
 *
 * Returns:
 *   plotly traces: `scattergl` beyond `GL_THRESHOLD` runs, else `scatter`; the
 *   highlighted runs' last.
 */
export function lineTraces(
  series: readonly IChartSeries[],
  labels: ReadonlyMap<string, string>,
  smoothing: number,
  highlighted: ReadonlySet<string> = new Set()
): PlotData[] {
  const type = series.length > GL_THRESHOLD ? 'scattergl' : 'scatter';
  const faded = highlighted.size === 0 ? 1 : 0.2;
  const runTrace = (entry: IChartSeries, bold: boolean): PlotData => {
    const name =
      labels.get(entry.TrialComponentName) ?? entry.TrialComponentName;
    return {
      type,
      mode: entry.Steps.length === 1 ? 'markers' : 'lines',
      name,
      x: entry.Steps,
      y: smooth(entry.Last, smoothing),
      line: { width: bold ? 3 : 1.5 },
      opacity: bold ? 1 : faded,
      hovertemplate: `${escapeTemplate(name)}<br>step %{x}: %{y:.4g}<extra></extra>`
    };
  };
  const isBold = (entry: IChartSeries) =>
    highlighted.has(entry.TrialComponentName);
  if (series.length <= LEGEND_MAX) {
    // Highlighted lines last, so they are drawn over the others.
    return [
      ...series.filter(entry => !isBold(entry)).map(e => runTrace(e, false)),
      ...series.filter(isBold).map(entry => runTrace(entry, true))
    ];
  }
  const batches = BATCH_COLORS.map(() => ({
    lines: {
      x: [] as (number | null)[],
      y: [] as (number | null)[],
      text: [] as string[]
    },
    markers: { x: [] as number[], y: [] as number[], text: [] as string[] }
  }));
  const bold: PlotData[] = [];
  series.forEach((entry, i) => {
    const color = BATCH_COLORS[i % BATCH_COLORS.length];
    if (isBold(entry)) {
      const trace = runTrace(entry, true);
      bold.push({
        ...trace,
        line: { ...trace.line, color },
        marker: { color }
      });
      return;
    }
    const count = entry.Steps.length;
    if (count === 0) {
      return;
    }
    const name = hoverText(
      labels.get(entry.TrialComponentName) ?? entry.TrialComponentName
    );
    const batch = batches[i % BATCH_COLORS.length];
    const into = count === 1 ? batch.markers : batch.lines;
    const values = smooth(entry.Last, smoothing);
    for (let k = 0; k < count; k++) {
      into.x.push(entry.Steps[k]);
      into.y.push(values[k]);
      into.text.push(name);
    }
    if (count > 1) {
      // A gap: this run's line ends here (plotly does not connect gaps by default).
      batch.lines.x.push(null);
      batch.lines.y.push(null);
      batch.lines.text.push('');
    }
  });
  const batched: PlotData[] = [];
  batches.forEach((batch, k) => {
    const color = BATCH_COLORS[k];
    for (const mode of ['lines', 'markers'] as const) {
      const points = batch[mode];
      if (points.x.length === 0) {
        continue;
      }
      batched.push({
        type,
        mode,
        name: `runs ${k + 1}`,
        x: points.x,
        y: points.y,
        text: points.text,
        connectgaps: false,
        line: { width: 1.5, color },
        marker: { color },
        opacity: faded,
        showlegend: false,
        hovertemplate: '%{text}<br>step %{x}: %{y:.4g}<extra></extra>'
      });
    }
  });
  return [...batched, ...bold];
}

/** A run's name as a point's hover text (not a template: only plotly's tags count). */
function hoverText(text: string): string {
  return text.replace(/</g, '&lt;');
}

/** A run's name in a hover template, where `%{` starts a field. */
function escapeTemplate(text: string): string {
  return text.replace(/%/g, '%%').replace(/</g, '&lt;');
}

/**
 * The series of each metric, asked `CHART_CONCURRENCY` charts at a time in order, each
 * stored as it arrives (an error as its message).
 *
 * Args:
 *   model: The comparison.
 *   metrics: The charted metrics, in order.
 *   maxPoints: Entries per run.
 *   enabled: False asks nothing (another tab shows, or the width is not known yet).
 *   runs: The compared runs; a new list (runs added) asks every chart again.
 *
 * Returns:
 *   Metric → its series, or the error's message; a metric not yet answered is absent.
 */
export function useSeriesQueue(
  model: CompareModel,
  metrics: readonly string[],
  maxPoints: number,
  enabled: boolean,
  runs?: readonly unknown[]
): ReadonlyMap<string, IChartSeries[] | string> {
  const [loaded, setLoaded] = React.useState<
    ReadonlyMap<string, IChartSeries[] | string>
  >(new Map());
  const key = metrics.join('\n');
  React.useEffect(() => {
    if (!enabled) {
      return;
    }
    let cancelled = false;
    setLoaded(new Map());
    const queue = [...metrics];
    const worker = async () => {
      for (let metric = queue.shift(); metric; metric = queue.shift()) {
        let answer: IChartSeries[] | string;
        try {
          answer = await model.series(metric, maxPoints);
        } catch (reason) {
          answer = reason instanceof Error ? reason.message : String(reason);
        }
        if (cancelled) {
          return;
        }
        const name = metric;
        setLoaded(previous => new Map(previous).set(name, answer));
      }
    };
    for (let i = 0; i < CHART_CONCURRENCY; i++) {
      void worker();
    }
    return () => {
      cancelled = true;
    };
  }, [model, key, maxPoints, enabled, runs]);
  return loaded;
}

/**
 * Find runs by name and highlight them in every chart (the legend of many runs).
 * Arrow keys move between the matches; Enter or Space toggles one.
 */
export function RunFinder(props: {
  runs: readonly ITrialComponent[];
  labels: ReadonlyMap<string, string>;
  highlighted: ReadonlySet<string>;
  onChange: (highlighted: ReadonlySet<string>) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { runs, labels, highlighted, onChange, trans } = props;
  const [query, setQuery] = React.useState('');
  const list = React.useRef<HTMLUListElement>(null);
  const needle = query.trim().toLowerCase();
  const matches = needle
    ? runs
        .map(run => run.TrialComponentName)
        .filter(name =>
          `${name} ${labels.get(name) ?? ''}`.toLowerCase().includes(needle)
        )
    : [...highlighted];
  const toggle = (name: string) => {
    const next = new Set(highlighted);
    if (!next.delete(name)) {
      next.add(name);
    }
    onChange(next);
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') {
      return;
    }
    const buttons: HTMLElement[] = Array.from(
      list.current?.querySelectorAll('button') ?? []
    );
    const at = buttons.indexOf(document.activeElement as HTMLElement);
    const next = event.key === 'ArrowDown' ? at + 1 : at - 1;
    if (next >= 0 && next < buttons.length) {
      buttons[next].focus();
      event.preventDefault();
    }
  };
  return (
    <div className="jp-mlstudio-RunFinder" onKeyDown={onKeyDown}>
      <input
        type="search"
        className="jp-mod-styled jp-mlstudio-RunFinder-search"
        placeholder={trans.__('Find runs to highlight')}
        aria-label={trans.__('Find runs to highlight')}
        value={query}
        onChange={e => setQuery(e.target.value)}
      />
      {highlighted.size > 0 && (
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mlstudio-RunFinder-clear"
          onClick={() => onChange(new Set())}
        >
          {trans.__('Clear highlight (%1)', highlighted.size)}
        </button>
      )}
      {needle && matches.length === 0 && (
        <p className="jp-mlstudio-Muted">{trans.__('No run matches.')}</p>
      )}
      {matches.length > 0 && (
        <ul ref={list} className="jp-mlstudio-RunFinder-list">
          {matches.slice(0, FINDER_MATCHES).map(name => (
            <li key={name}>
              <button
                type="button"
                className="jp-mlstudio-RunFinder-run"
                aria-pressed={highlighted.has(name)}
                data-run={name}
                onClick={() => toggle(name)}
              >
                {labels.get(name) ?? name}
              </button>
            </li>
          ))}
          {matches.length > FINDER_MATCHES && (
            <li className="jp-mlstudio-Muted">
              {trans.__('and %1 more', matches.length - FINDER_MATCHES)}
            </li>
          )}
        </ul>
      )}
    </div>
  );
}
