/**
 * Metric lines of many runs: traces (WebGL beyond `GL_THRESHOLD` runs), the loading of
 * one chart's series after another, and the run finder that replaces the legend.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IChartSeries, ITrialComponent } from '../api/types';
import { smooth } from '../components/figures';
import { PlotData } from '../components/Plot';
import { CompareModel } from '../models/compare';

/**
 * Above this many lines a chart draws with plotly's `scattergl` (WebGL), else SVG.
 * Measured (benchmarks/README.md, "Compare view at scale"): 157-entry lines in Chromium
 * drew as SVG in 171/554/1,185 ms for 100/500/1,000 lines and as WebGL in
 * 917/3,392/6,374 ms (plotly sets up each WebGL trace; software GL), so every
 * comparison (at most 1,000 runs) draws as SVG.
 */
export const GL_THRESHOLD = 1000;
/** Above this many runs the legend is off; the run finder highlights runs instead. */
export const LEGEND_MAX = 20;
/** Charts whose series are asked at once; the rest wait, so the first draws first. */
export const CHART_CONCURRENCY = 2;
/** Most matches the run finder lists. */
const FINDER_MATCHES = 20;

/**
 * One line per series, by step.
 *
 * Args:
 *   series: The runs' series of one metric.
 *   labels: Run name → the name shown.
 *   smoothing: Weight of the moving average (0: none).
 *   highlighted: Runs drawn bold, the others faded (none: all alike).
 *
 * Returns:
 *   plotly traces: `scattergl` beyond `GL_THRESHOLD` lines, else `scatter`.
 */
export function lineTraces(
  series: readonly IChartSeries[],
  labels: ReadonlyMap<string, string>,
  smoothing: number,
  highlighted: ReadonlySet<string> = new Set()
): PlotData[] {
  const type = series.length > GL_THRESHOLD ? 'scattergl' : 'scatter';
  const traces = series.map((entry): PlotData => {
    const name =
      labels.get(entry.TrialComponentName) ?? entry.TrialComponentName;
    const bold = highlighted.has(entry.TrialComponentName);
    return {
      type,
      mode: entry.Steps.length === 1 ? 'markers' : 'lines',
      name,
      x: entry.Steps,
      y: smooth(entry.Last, smoothing),
      line: { width: bold ? 3 : 1.5 },
      opacity: highlighted.size === 0 || bold ? 1 : 0.2,
      hovertemplate: `${escapeTemplate(name)}<br>step %{x}: %{y:.4g}<extra></extra>`
    };
  });
  // Highlighted lines last, so they are drawn over the others.
  return highlighted.size
    ? [
        ...traces.filter(
          (_, i) => !highlighted.has(series[i].TrialComponentName)
        ),
        ...traces.filter((_, i) =>
          highlighted.has(series[i].TrialComponentName)
        )
      ]
    : traces;
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
