/** The charts of a comparison: metric lines, scatter, parallel coordinates, bar, histogram. */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IChartSeries, ITrialComponent } from '../api/types';
import {
  bars,
  histogram,
  parallelCoordinates,
  runLabel,
  scatter
} from '../components/figures';
import { Plot, PlotData, PlotLayout, savePng } from '../components/Plot';
import { IRunColumn, isNumeric } from '../models/columns';
import {
  CompareModel,
  DEFAULT_CHART_WIDTH,
  pointsForWidth
} from '../models/compare';
import {
  LEGEND_MAX,
  lineTraces,
  RunFinder,
  useSeriesQueue
} from './metricGrid';

export type ChartKind = 'lines' | 'scatter' | 'parallel' | 'bar' | 'histogram';

/** The metric select's value that shows a chart for every metric. */
const ALL = '';
/** Narrowest column of the metric charts' grid (pixels); see `.jp-mlstudio-MetricGrid`. */
const CHART_MIN_WIDTH = 480;

export interface ICompareChartsProps {
  model: CompareModel;
  runs: ITrialComponent[];
  columns: IRunColumn[];
  trans: TranslationBundle;
}

function ColumnSelect(props: {
  label: string;
  columns: IRunColumn[];
  value: string;
  onChange: (id: string) => void;
}): JSX.Element {
  return (
    <label className="jp-mlstudio-Field">
      {props.label}
      <select
        className="jp-mod-styled"
        value={props.value}
        onChange={e => props.onChange(e.target.value)}
      >
        {props.columns.map(column => (
          <option key={column.id} value={column.id}>
            {column.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The width of each chart in a grid of columns at least `CHART_MIN_WIDTH` wide; null
 * until measured. A grid not laid out (hidden, or in tests) counts as the default width.
 */
function useChartWidth(node: React.RefObject<HTMLElement>): number | null {
  const [width, setWidth] = React.useState<number | null>(null);
  React.useLayoutEffect(() => {
    const measure = () => {
      const total = node.current?.clientWidth ?? 0;
      const columns = Math.max(1, Math.floor(total / CHART_MIN_WIDTH));
      setWidth(previous =>
        total > 0
          ? Math.floor(total / columns)
          : (previous ?? DEFAULT_CHART_WIDTH)
      );
    };
    measure();
    if (typeof ResizeObserver === 'undefined' || !node.current) {
      return;
    }
    const observer = new ResizeObserver(measure);
    observer.observe(node.current);
    return () => observer.disconnect();
  }, []);
  return width;
}

/** One metric's lines of every run. */
function MetricPanel(props: {
  metric: string;
  series: IChartSeries[] | string | undefined;
  labels: ReadonlyMap<string, string>;
  smoothing: number;
  logY: boolean;
  highlighted: ReadonlySet<string>;
  trans: TranslationBundle;
}): JSX.Element {
  const { metric, series, labels, smoothing, logY, highlighted, trans } = props;
  const plotNode = React.useRef<HTMLElement | null>(null);
  const data = React.useMemo(
    () =>
      Array.isArray(series)
        ? lineTraces(series, labels, smoothing, highlighted)
        : null,
    [series, labels, smoothing, highlighted]
  );
  const layout = React.useMemo(
    (): PlotLayout => ({
      title: { text: metric },
      height: 360,
      xaxis: { title: { text: 'step' } },
      yaxis: { type: logY ? 'log' : 'linear', title: { text: metric } },
      hovermode: 'closest',
      showlegend: Array.isArray(series) && series.length <= LEGEND_MAX
    }),
    [metric, logY, series]
  );
  let body: JSX.Element;
  if (typeof series === 'string') {
    body = <p role="alert">{series}</p>;
  } else if (!data) {
    body = <p className="jp-mlstudio-Loading">{trans.__('Loading chart…')}</p>;
  } else if (data.length === 0) {
    body = (
      <p className="jp-mlstudio-Muted">
        {trans.__('No run logged %1.', metric)}
      </p>
    );
  } else {
    body = (
      <Plot
        className="jp-mlstudio-CompareChart"
        label={trans.__('%1 by step', metric)}
        data={data}
        layout={layout}
        onDrawn={node => (plotNode.current = node)}
      />
    );
  }
  return (
    <div className="jp-mlstudio-MetricPanel" data-metric={metric}>
      {body}
      {data && data.length > 0 && (
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mlstudio-SavePng"
          aria-label={trans.__('Save %1 as PNG', metric)}
          onClick={() =>
            plotNode.current &&
            void savePng(plotNode.current, `mlstudio-${metric}`)
          }
        >
          {trans.__('Save PNG')}
        </button>
      )}
    </div>
  );
}

export function CompareCharts(props: ICompareChartsProps): JSX.Element {
  const { model, runs, columns, trans } = props;
  const numeric = React.useMemo(
    () => columns.filter(column => isNumeric(column, runs)),
    [columns, runs]
  );
  const metrics = model.metricNames;
  const [kind, setKind] = React.useState<ChartKind>('lines');
  const [metric, setMetric] = React.useState(ALL);
  const [smoothing, setSmoothing] = React.useState(0);
  const [logY, setLogY] = React.useState(false);
  const [highlighted, setHighlighted] = React.useState<ReadonlySet<string>>(
    new Set()
  );
  const firstMetric = numeric.find(c => c.kind === 'metric') ?? numeric[0];
  const firstParam = numeric.find(c => c.kind === 'param') ?? numeric[0];
  const [xId, setX] = React.useState(firstParam?.id ?? '');
  const [yId, setY] = React.useState(firstMetric?.id ?? '');
  const plotNode = React.useRef<HTMLElement | null>(null);
  const grid = React.useRef<HTMLDivElement>(null);
  const width = useChartWidth(grid);

  const charted =
    metric === ALL || !metrics.includes(metric) ? metrics : [metric];
  const loaded = useSeriesQueue(
    model,
    charted,
    pointsForWidth(width ?? DEFAULT_CHART_WIDTH),
    kind === 'lines' && width !== null,
    runs
  );

  const byId = (id: string) => numeric.find(c => c.id === id);
  const x = byId(xId) ?? firstParam;
  const y = byId(yId) ?? firstMetric;
  const labels = React.useMemo(
    () =>
      new Map(
        runs.map(run => [
          run.TrialComponentName,
          runLabel(run, run.TrialComponentName)
        ])
      ),
    [runs]
  );

  const figure = React.useMemo((): {
    data: PlotData[];
    layout: PlotLayout;
  } | null => {
    switch (kind) {
      case 'lines':
        return null;
      case 'scatter':
        return x && y
          ? {
              data: scatter(runs, x, y),
              layout: {
                xaxis: { title: { text: x.label } },
                yaxis: { title: { text: y.label }, type: logY ? 'log' : '-' }
              }
            }
          : null;
      case 'parallel':
        return numeric.length
          ? {
              data: parallelCoordinates(runs, numeric.slice(0, 12)),
              layout: {}
            }
          : null;
      case 'bar':
        return y
          ? {
              data: bars(runs, y),
              layout: {
                yaxis: { title: { text: y.label }, type: logY ? 'log' : '-' }
              }
            }
          : null;
      case 'histogram':
        return y
          ? {
              data: histogram(runs, y),
              layout: { xaxis: { title: { text: y.label } } }
            }
          : null;
    }
  }, [kind, logY, x, y, runs, numeric]);

  const layout = React.useMemo(
    () => ({ height: 440, ...figure?.layout }),
    [figure]
  );

  const kinds: [ChartKind, string][] = [
    ['lines', trans.__('Metric vs step')],
    ['scatter', trans.__('Scatter')],
    ['parallel', trans.__('Parallel coordinates')],
    ['bar', trans.__('Bar')],
    ['histogram', trans.__('Histogram')]
  ];

  return (
    <div className="jp-mlstudio-CompareCharts">
      <div className="jp-mlstudio-Tabs" role="tablist">
        {kinds.map(([value, label]) => (
          <button
            key={value}
            type="button"
            role="tab"
            aria-selected={kind === value}
            data-chart={value}
            className={`jp-mlstudio-Tab ${kind === value ? 'jp-mod-active' : ''}`}
            onClick={() => setKind(value)}
          >
            {label}
          </button>
        ))}
      </div>
      <div className="jp-mlstudio-ChartControls">
        {kind === 'lines' && (
          <>
            <label className="jp-mlstudio-Field">
              {trans.__('Metric')}
              <select
                className="jp-mod-styled jp-mlstudio-MetricSelect"
                value={metric}
                onChange={e => setMetric(e.target.value)}
              >
                <option value={ALL}>{trans.__('All metrics')}</option>
                {metrics.map(name => (
                  <option key={name}>{name}</option>
                ))}
              </select>
            </label>
            <label className="jp-mlstudio-Field">
              {trans.__('Smoothing %1', smoothing.toFixed(2))}
              <input
                type="range"
                min={0}
                max={0.99}
                step={0.01}
                value={smoothing}
                aria-label={trans.__('Smoothing')}
                onChange={e => setSmoothing(Number(e.target.value))}
              />
            </label>
          </>
        )}
        {kind === 'scatter' && (
          <ColumnSelect
            label={trans.__('x')}
            columns={numeric}
            value={x?.id ?? ''}
            onChange={setX}
          />
        )}
        {(kind === 'scatter' || kind === 'bar' || kind === 'histogram') && (
          <ColumnSelect
            label={kind === 'scatter' ? trans.__('y') : trans.__('Value')}
            columns={numeric}
            value={y?.id ?? ''}
            onChange={setY}
          />
        )}
        {kind !== 'parallel' && kind !== 'histogram' && (
          <label className="jp-mlstudio-Field">
            <input
              type="checkbox"
              checked={logY}
              onChange={e => setLogY(e.target.checked)}
            />
            {trans.__('Log scale')}
          </label>
        )}
        {kind !== 'lines' && (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mlstudio-SavePng"
            disabled={!figure}
            onClick={() =>
              plotNode.current &&
              void savePng(plotNode.current, `mlstudio-${kind}`)
            }
          >
            {trans.__('Save PNG')}
          </button>
        )}
      </div>
      {kind === 'lines' && runs.length > LEGEND_MAX && (
        <RunFinder
          runs={runs}
          labels={labels}
          highlighted={highlighted}
          onChange={setHighlighted}
          trans={trans}
        />
      )}
      <div
        ref={grid}
        className="jp-mlstudio-MetricGrid"
        hidden={kind !== 'lines'}
      >
        {kind === 'lines' && charted.length === 0 && (
          <p className="jp-mlstudio-Muted">
            {trans.__('These runs logged no metrics.')}
          </p>
        )}
        {kind === 'lines' &&
          charted.map(name => (
            <MetricPanel
              key={name}
              metric={name}
              series={loaded.get(name)}
              labels={labels}
              smoothing={smoothing}
              logY={logY}
              highlighted={highlighted}
              trans={trans}
            />
          ))}
      </div>
      {kind !== 'lines' &&
        (figure ? (
          <Plot
            className="jp-mlstudio-CompareChart"
            label={kinds.find(([value]) => value === kind)![1]}
            data={figure.data}
            layout={layout}
            onDrawn={node => (plotNode.current = node)}
          />
        ) : (
          <p className="jp-mlstudio-Loading">{trans.__('Loading chart…')}</p>
        ))}
    </div>
  );
}
