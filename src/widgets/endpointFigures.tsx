/**
 * An endpoint's figures: requests and errors, model and overhead latency p50 per
 * variant over the last minutes (live plotly charts), and a table of the totals with
 * latency percentiles.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IEndpointMetrics, ILatency } from '../api/endpoints';
import { PLOTLY_COLOURS } from '../components/figures';
import { Plot, PlotData, PlotLayout } from '../components/Plot';
import { useSignals } from '../components/useSignals';
import { formatNumber } from '../format';
import { EndpointModel, isServing } from '../models/endpoint';

/** The height of each chart, fixed so that nothing moves while they load. */
export const CHART_HEIGHT = 260;

/** The minutes of figures the server answers by default (its `Minutes`). */
export const WINDOW_MINUTES = 15;

/** The width of a bucket of the series, in milliseconds. */
const BUCKET = 10_000;

/** Bucket middles (from starts in seconds since the epoch) as dates. */
const times = (values: readonly number[]) =>
  values.map(seconds => new Date(seconds * 1000 + BUCKET / 2));

/** A colour per variant (plotly's first colours), the same in every chart. */
export const VARIANT_COLOURS = PLOTLY_COLOURS;

/** Errors are red crosses, whatever the variant (its name is in the hover). */
const ERROR_COLOUR = '#d62728';

const colour = (index: number) =>
  VARIANT_COLOURS[index % VARIANT_COLOURS.length];

/**
 * Per variant, its requests in each 10-second bucket as stacked bars, and its errors as
 * red crosses where there were any.
 */
export function invocationTraces(metrics: IEndpointMetrics): PlotData[] {
  const traces: PlotData[] = [];
  for (const [index, variant] of metrics.Variants.entries()) {
    const series = variant.Series;
    traces.push({
      type: 'bar',
      name: variant.VariantName,
      x: times(series.Time),
      y: series.Invocations,
      width: series.Time.map(() => BUCKET * 0.9),
      marker: { color: colour(index) },
      hovertemplate: `${variant.VariantName}: %{y} requests<extra></extra>`
    } as PlotData);
    const failed = series.Errors.map((count, i) => [count, i]).filter(
      ([count]) => count > 0
    );
    if (failed.length) {
      traces.push({
        type: 'scatter',
        mode: 'markers',
        name: `${variant.VariantName} errors`,
        x: times(failed.map(([, i]) => series.Time[i])),
        y: failed.map(([count]) => count),
        marker: { color: ERROR_COLOUR, symbol: 'x', size: 9 },
        hovertemplate: `${variant.VariantName}: %{y} errors<extra></extra>`
      });
    }
  }
  return traces;
}

/** The shortest time the charts span, in milliseconds. */
const MIN_SPAN = 60_000;

/**
 * The time axis of the charts: the window of the figures up to now, or only since the
 * endpoint was created when that is later (but at least a minute).
 */
export function timeAxis(
  metrics: IEndpointMetrics,
  minutes: number,
  now: number = Date.now(),
  since?: number
): PlotLayout['xaxis'] {
  const last = Math.max(
    0,
    ...metrics.Variants.map(v => v.Series.Time[v.Series.Time.length - 1] ?? 0)
  );
  const end = Math.max(now, last * 1000 + BUCKET);
  let start = end - minutes * 60_000;
  if (since !== undefined && Number.isFinite(since)) {
    start = Math.min(end - MIN_SPAN, Math.max(start, since - BUCKET));
  }
  return {
    type: 'date',
    range: [new Date(start), new Date(end)],
    tickformatstops: [
      { dtickrange: [null, 60_000], value: '%H:%M:%S' },
      { dtickrange: [60_000, null], value: '%H:%M' }
    ]
  } as PlotLayout['xaxis'];
}

/** Per variant: model latency p50 (solid) and overhead latency p50 (dotted). */
export function latencyTraces(metrics: IEndpointMetrics): PlotData[] {
  const traces: PlotData[] = [];
  for (const [index, variant] of metrics.Variants.entries()) {
    const series = variant.Series;
    const mode: PlotData['mode'] = 'lines+markers';
    traces.push(
      {
        type: 'scatter',
        mode,
        name: `${variant.VariantName} model`,
        x: times(series.Time),
        y: series.ModelLatencyP50,
        connectgaps: false,
        marker: { size: 6, color: colour(index) },
        line: { width: 1.5, color: colour(index) },
        hovertemplate: `${variant.VariantName} model p50: %{y:.3g} ms<extra></extra>`
      },
      {
        type: 'scatter',
        mode,
        name: `${variant.VariantName} overhead`,
        x: times(series.Time),
        y: series.OverheadLatencyP50,
        connectgaps: false,
        marker: { size: 6, color: colour(index) },
        line: { width: 1.5, dash: 'dot', color: colour(index) },
        hovertemplate: `${variant.VariantName} overhead p50: %{y:.3g} ms<extra></extra>`
      }
    );
  }
  return traces;
}

/** "12.3 ms"; a dash when there is no figure. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '–';
  }
  return `${value >= 100 ? Math.round(value) : Number(value.toPrecision(3))} ms`;
}

function Percentiles(props: { latency: ILatency | undefined }): JSX.Element {
  const latency = props.latency;
  return (
    <>
      <td className="jp-mlstudio-Number">{formatMs(latency?.P50)}</td>
      <td className="jp-mlstudio-Number">{formatMs(latency?.P90)}</td>
      <td className="jp-mlstudio-Number">{formatMs(latency?.P99)}</td>
    </>
  );
}

function FiguresTable(props: {
  metrics: IEndpointMetrics;
  trans: TranslationBundle;
}): JSX.Element {
  const { metrics, trans } = props;
  return (
    <table className="jp-mlstudio-Table jp-mlstudio-FiguresTable">
      <thead>
        <tr>
          <th rowSpan={2}>{trans.__('Variant')}</th>
          <th rowSpan={2} className="jp-mlstudio-Number">
            {trans.__('Requests')}
          </th>
          <th rowSpan={2} className="jp-mlstudio-Number">
            {trans.__('4xx')}
          </th>
          <th rowSpan={2} className="jp-mlstudio-Number">
            {trans.__('5xx')}
          </th>
          <th colSpan={3} className="jp-mlstudio-FiguresTable-group">
            {trans.__('Model latency')}
          </th>
          <th colSpan={3} className="jp-mlstudio-FiguresTable-group">
            {trans.__('Overhead latency')}
          </th>
        </tr>
        <tr>
          {['p50', 'p90', 'p99', 'p50', 'p90', 'p99'].map((p, i) => (
            <th key={i} className="jp-mlstudio-Number">
              {p}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {metrics.Variants.map(variant => (
          <tr key={variant.VariantName} data-variant={variant.VariantName}>
            <th scope="row">{variant.VariantName}</th>
            <td className="jp-mlstudio-Number jp-mlstudio-Figure-invocations">
              {formatNumber(variant.Invocations)}
            </td>
            <td
              className={`jp-mlstudio-Number${variant.Invocation4XXErrors ? ' jp-mod-error' : ''}`}
            >
              {formatNumber(variant.Invocation4XXErrors)}
            </td>
            <td
              className={`jp-mlstudio-Number${variant.Invocation5XXErrors ? ' jp-mod-error' : ''}`}
            >
              {formatNumber(variant.Invocation5XXErrors)}
            </td>
            <Percentiles latency={variant.ModelLatency} />
            <Percentiles latency={variant.OverheadLatency} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function EndpointFigures(props: {
  model: EndpointModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignals(model.metricsChanged);
  const metrics = model.metrics;
  const invocations = React.useMemo(
    () => (metrics ? invocationTraces(metrics) : []),
    [metrics]
  );
  const latency = React.useMemo(
    () => (metrics ? latencyTraces(metrics) : []),
    [metrics]
  );
  const created = model.endpoint?.CreationTime;
  const layouts = React.useMemo<[PlotLayout, PlotLayout]>(() => {
    const xaxis = metrics
      ? timeAxis(
          metrics,
          WINDOW_MINUTES,
          Date.now(),
          created ? Date.parse(created) : undefined
        )
      : {};
    return [
      {
        title: { text: trans.__('Requests per 10 s') },
        height: CHART_HEIGHT,
        barmode: 'stack',
        xaxis,
        yaxis: { rangemode: 'tozero' },
        legend: { orientation: 'h', y: -0.2 },
        uirevision: 'invocations'
      },
      {
        title: { text: trans.__('Latency p50 (ms)') },
        height: CHART_HEIGHT,
        xaxis,
        yaxis: { rangemode: 'tozero' },
        legend: { orientation: 'h', y: -0.2 },
        uirevision: 'latency'
      }
    ];
  }, [trans, metrics, created]);
  const endpoint = model.endpoint;
  if (!metrics) {
    return (
      <p
        className={`jp-mlstudio-Muted jp-mlstudio-FiguresPlaceholder${model.metricsError ? ' jp-mod-error' : ''}`}
        role={model.metricsError ? 'alert' : 'status'}
      >
        {model.metricsError
          ? trans.__('Could not read the figures: %1', model.metricsError)
          : endpoint && !isServing(endpoint)
            ? trans.__('Figures appear once the endpoint is in service.')
            : trans.__('Loading figures…')}
      </p>
    );
  }
  const total = metrics.Variants.reduce((sum, v) => sum + v.Invocations, 0);
  return (
    <div className="jp-mlstudio-Figures" data-invocations={total}>
      <FiguresTable metrics={metrics} trans={trans} />
      <p className="jp-mlstudio-Muted jp-mlstudio-Figures-note">
        {total === 0
          ? trans.__(
              'No requests in the last 15 minutes: send one from the test panel, or with a Predictor in a notebook.'
            )
          : trans.__('Over the last 15 minutes, in 10-second steps.')}
      </p>
      <div className="jp-mlstudio-EndpointCharts">
        <Plot
          className="jp-mlstudio-EndpointChart"
          label={trans.__('Requests per variant')}
          data={invocations}
          layout={layouts[0]}
        />
        <Plot
          className="jp-mlstudio-EndpointChart"
          label={trans.__('Latency per variant')}
          data={latency}
          layout={layouts[1]}
        />
      </div>
    </div>
  );
}
