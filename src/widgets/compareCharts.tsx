/** The charts of a comparison: metric lines, scatter, parallel coordinates, bar, histogram. */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IChartSeries, ITrialComponent } from '../api/types';
import {
  bars,
  histogram,
  metricLines,
  parallelCoordinates,
  runLabel,
  scatter
} from '../components/figures';
import { Plot, PlotData, PlotLayout, savePng } from '../components/Plot';
import { IRunColumn, isNumeric } from '../models/columns';
import { CompareModel } from '../models/compare';

export type ChartKind = 'lines' | 'scatter' | 'parallel' | 'bar' | 'histogram';

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

export function CompareCharts(props: ICompareChartsProps): JSX.Element {
  const { model, runs, columns, trans } = props;
  const numeric = React.useMemo(
    () => columns.filter(column => isNumeric(column, runs)),
    [columns, runs]
  );
  const metrics = model.metricNames;
  const [kind, setKind] = React.useState<ChartKind>('lines');
  const [metric, setMetric] = React.useState(metrics[0] ?? '');
  const [smoothing, setSmoothing] = React.useState(0);
  const [logY, setLogY] = React.useState(false);
  const firstMetric = numeric.find(c => c.kind === 'metric') ?? numeric[0];
  const firstParam = numeric.find(c => c.kind === 'param') ?? numeric[0];
  const [xId, setX] = React.useState(firstParam?.id ?? '');
  const [yId, setY] = React.useState(firstMetric?.id ?? '');
  const [series, setSeries] = React.useState<IChartSeries[] | null>(null);
  const [error, setError] = React.useState('');
  const plotNode = React.useRef<HTMLElement | null>(null);

  React.useEffect(() => {
    if (kind !== 'lines' || !metric) {
      return;
    }
    let cancelled = false;
    setSeries(null);
    model
      .series(metric)
      .then(answer => !cancelled && setSeries(answer))
      .catch(reason => !cancelled && setError(String(reason)));
    return () => {
      cancelled = true;
    };
  }, [kind, metric]);

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
        return series
          ? {
              data: metricLines(series, labels, smoothing),
              layout: {
                title: { text: metric },
                xaxis: { title: { text: 'step' } },
                yaxis: {
                  type: logY ? 'log' : 'linear',
                  title: { text: metric }
                },
                showlegend: series.length <= 20
              }
            }
          : null;
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
  }, [kind, series, smoothing, logY, x, y, runs, numeric]);

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
      </div>
      {error && <p role="alert">{error}</p>}
      {figure ? (
        <Plot
          className="jp-mlstudio-CompareChart"
          label={kinds.find(([value]) => value === kind)![1]}
          data={figure.data}
          layout={layout}
          onDrawn={node => (plotNode.current = node)}
        />
      ) : (
        <p className="jp-mlstudio-Loading">{trans.__('Loading chart…')}</p>
      )}
    </div>
  );
}
