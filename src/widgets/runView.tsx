/** The main-area view of one run: overview, parameters, metrics, charts, artifacts. */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { IChartSeries, IMetricPoint, ITrialComponent } from '../api/types';
import { withArtifactRoot } from '../components/ArtifactUri';
import { Plot, PlotData } from '../components/Plot';
import { StatusBadge } from '../components/StatusBadge';
import { useSignals } from '../components/useSignals';
import { absoluteTime, duration, formatNumber } from '../format';
import { studioIcon } from '../icons';
import { ArtifactRoot } from '../models/artifactRoot';
import { DEFAULT_CHART_WIDTH, pointsForWidth } from '../models/compare';
import { RunModel } from '../models/run';
import { ArtifactsPanel } from './artifacts';
import { MainAreaView } from './mainAreaView';
import { RefreshButton } from '../components/RefreshButton';

export function RunView(props: {
  model: RunModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignals(model.stateChanged);
  const state = model.state;
  if (state.kind === 'loading') {
    return <p className="jp-mlstudio-Loading">{trans.__('Loading run…')}</p>;
  }
  if (state.kind === 'error') {
    return (
      <div role="alert" className="jp-mlstudio-Error">
        <p>{state.message}</p>
        <button
          className="jp-Button jp-mod-styled"
          onClick={() => void model.refresh()}
        >
          {trans.__('Retry')}
        </button>
      </div>
    );
  }
  const { run, series, charts } = state;
  return (
    <div className="jp-mlstudio-View">
      <header className="jp-mlstudio-View-header">
        <h1>{run.DisplayName || run.TrialComponentName}</h1>
        <StatusBadge status={run.Status.PrimaryStatus} />
        <RefreshButton
          label={trans.__('Refresh run')}
          onRefresh={() => model.refresh()}
        />
      </header>
      <section aria-label={trans.__('Overview')}>
        <h2>{trans.__('Overview')}</h2>
        <Overview run={run} trans={trans} />
      </section>
      <section aria-label={trans.__('Parameters')}>
        <h2>{trans.__('Parameters')}</h2>
        <KeyValues
          values={Object.entries(run.Parameters ?? {})}
          empty={trans.__('No parameters.')}
        />
      </section>
      <section aria-label={trans.__('Metrics')}>
        <h2>{trans.__('Metrics')}</h2>
        <MetricTable run={run} trans={trans} />
      </section>
      <RunCharts model={model} trans={trans}>
        {charts
          ? Object.entries(charts).map(([metric, chart]) => (
              <MetricChart key={metric} metric={metric} series={chart} />
            ))
          : Object.entries(series).map(([metric, points]) => (
              <MetricChart key={metric} metric={metric} points={points} />
            ))}
      </RunCharts>
      <section aria-label={trans.__('Artifacts')}>
        <h2>{trans.__('Artifacts')}</h2>
        <ArtifactsPanel run={run} artifacts={model.artifacts} trans={trans} />
      </section>
    </div>
  );
}

/**
 * The charts' section; its width sets the entries asked per metric (one every 2
 * pixels of a chart, charts being at least 360 pixels wide).
 */
function RunCharts(props: {
  model: RunModel;
  trans: TranslationBundle;
  children: React.ReactNode;
}): JSX.Element {
  const { model, trans } = props;
  const node = React.useRef<HTMLElement>(null);
  React.useLayoutEffect(() => {
    const measure = () => {
      const total = node.current?.clientWidth ?? 0;
      if (total > 0) {
        const columns = Math.max(1, Math.floor(total / RUN_CHART_MIN_WIDTH));
        model.chartPoints = pointsForWidth(total / columns);
      }
    };
    measure();
    if (typeof ResizeObserver === 'undefined' || !node.current) {
      return;
    }
    const observer = new ResizeObserver(measure);
    observer.observe(node.current);
    return () => observer.disconnect();
  }, [model]);
  return (
    <section
      ref={node}
      aria-label={trans.__('Charts')}
      className="jp-mlstudio-RunCharts"
    >
      {props.children}
    </section>
  );
}

/** Narrowest chart of the run view's grid (pixels); see `.jp-mlstudio-RunCharts`. */
const RUN_CHART_MIN_WIDTH = 360;

function Overview(props: {
  run: ITrialComponent;
  trans: TranslationBundle;
}): JSX.Element {
  const { run, trans } = props;
  const rows: [string, React.ReactNode][] = [
    [trans.__('Name'), run.TrialComponentName],
    [
      trans.__('Status'),
      run.Status.Message
        ? `${run.Status.PrimaryStatus}: ${run.Status.Message}`
        : run.Status.PrimaryStatus
    ],
    [trans.__('Started'), absoluteTime(run.StartTime)],
    [trans.__('Ended'), absoluteTime(run.EndTime)],
    [trans.__('Duration'), duration(run.StartTime, run.EndTime)],
    [trans.__('Created'), absoluteTime(run.CreationTime)],
    [trans.__('Trials'), (run.TrialNames ?? []).join(', ')],
    [
      trans.__('Source job'),
      run.Source
        ? `${run.Source.SourceArn}${run.Source.SourceType ? ` (${run.Source.SourceType})` : ''}`
        : ''
    ],
    [
      trans.__('Tags'),
      Object.entries(run.Tags ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')
    ]
  ];
  return (
    <KeyValues values={rows.filter(([, value]) => value !== '')} empty="" />
  );
}

/** A two-column table of names and values; `empty` when there are none. */
export function KeyValues(props: {
  values: [string, React.ReactNode][];
  empty: string;
}): JSX.Element {
  if (props.values.length === 0) {
    return <p className="jp-mlstudio-Muted">{props.empty}</p>;
  }
  return (
    <table className="jp-mlstudio-Table jp-mlstudio-KeyValues">
      <tbody>
        {props.values.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>{typeof value === 'number' ? formatNumber(value) : value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MetricTable(props: {
  run: ITrialComponent;
  trans: TranslationBundle;
}): JSX.Element {
  const { run, trans } = props;
  const metrics = run.Metrics ?? [];
  if (metrics.length === 0) {
    return <p className="jp-mlstudio-Muted">{trans.__('No metrics.')}</p>;
  }
  const stats = ['Last', 'Min', 'Max', 'Avg', 'StdDev', 'Count'] as const;
  return (
    <table className="jp-mlstudio-Table jp-mlstudio-MetricTable">
      <thead>
        <tr>
          <th>{trans.__('Metric')}</th>
          {stats.map(stat => (
            <th key={stat}>{stat}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {metrics.map(metric => (
          <tr key={metric.MetricName}>
            <th scope="row">{metric.MetricName}</th>
            {stats.map(stat => (
              <td key={stat}>{formatNumber(metric[stat])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * A line chart of one metric by step: of every point (`points`), or of a downsampled
 * series (`series`: its last value per entry, with the bucket's min-max band behind).
 */
export function MetricChart(props: {
  metric: string;
  points?: IMetricPoint[];
  series?: IChartSeries;
}): JSX.Element {
  const { metric, points, series } = props;
  const data = React.useMemo<PlotData[]>(
    () =>
      series ? seriesTraces(metric, series) : pointTraces(metric, points ?? []),
    [metric, points, series]
  );
  const layout = React.useMemo(
    () => ({
      title: { text: metric },
      xaxis: { title: { text: 'step' } },
      height: 280
    }),
    [metric]
  );
  return (
    <Plot
      className="jp-mlstudio-MetricChart"
      label={metric}
      data={data}
      layout={layout}
    />
  );
}

function pointTraces(metric: string, points: IMetricPoint[]): PlotData[] {
  return [
    {
      type: 'scatter',
      mode: points.length === 1 ? 'markers' : 'lines',
      name: metric,
      x: points.map((point, i) => point.Step ?? i),
      y: points.map(point => point.Value)
    }
  ];
}

/** The last value of each entry; a downsampled series adds its min-max band. */
function seriesTraces(metric: string, series: IChartSeries): PlotData[] {
  const line: PlotData = {
    type: 'scatter',
    mode: series.Steps.length === 1 ? 'markers' : 'lines',
    name: metric,
    x: series.Steps,
    y: series.Last
  };
  if (series.Exact) {
    return [line];
  }
  const band = {
    type: 'scatter' as const,
    mode: 'lines' as const,
    x: series.Steps,
    line: { width: 0 },
    hoverinfo: 'skip' as const,
    showlegend: false
  };
  return [
    { ...band, name: 'min', y: series.Min },
    {
      ...band,
      name: 'max',
      y: series.Max,
      fill: 'tonexty',
      fillcolor: 'rgba(127, 127, 127, 0.2)'
    },
    line
  ];
}

/** The main-area widget of a run; one per run. */
export class RunWidget extends MainAreaView<RunModel> {
  /** `artifactRoot`: the studio's; artifact URIs under it print relative to it. */
  constructor(
    model: RunModel,
    trans: TranslationBundle,
    artifactRoot?: ArtifactRoot
  ) {
    super(
      model,
      ReactWidget.create(
        withArtifactRoot(artifactRoot, <RunView model={model} trans={trans} />)
      )
    );
    this.id = `mlstudio-run-${model.name}`;
    this.title.label = model.name;
    this.title.caption = trans.__('Run %1', model.name);
    this.title.icon = studioIcon;
    this.title.closable = true;
    this.addClass('jp-mlstudio-RunWidget');
    // Downsampled series from the first read; the charts' width refines it.
    model.chartPoints ??= pointsForWidth(DEFAULT_CHART_WIDTH);
  }
}
