/** Plotly traces built from runs, chart series and logged classifier curves. */
import { IChartSeries, ITrialComponent } from '../api/types';
import { IRunColumn } from '../models/columns';
import { PlotData, PlotLayout } from './Plot';

/** plotly's default colours, in its order: a chart that colours by index uses these. */
export const PLOTLY_COLOURS: readonly string[] = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf'
];

/**
 * Exponential moving average with TensorBoard's debiasing: weight 0 leaves the values
 * as they are, 0.99 smooths hard. Non-finite values pass through.
 */
export function smooth(values: readonly number[], weight: number): number[] {
  if (weight <= 0) {
    return [...values];
  }
  let last = 0;
  let count = 0;
  return values.map(value => {
    if (!Number.isFinite(value)) {
      return value;
    }
    last = last * weight + (1 - weight) * value;
    count++;
    return last / (1 - Math.pow(weight, count));
  });
}

/** The name a run is shown by. */
export function runLabel(
  run: ITrialComponent | undefined,
  name: string
): string {
  return run?.DisplayName || name;
}

/** One line per run of a metric against step (the series' last value per bucket). */
export function metricLines(
  series: readonly IChartSeries[],
  labels: ReadonlyMap<string, string>,
  smoothing: number
): PlotData[] {
  return series.map(entry => ({
    type: 'scatter',
    mode: entry.Steps.length === 1 ? 'markers' : 'lines',
    name: labels.get(entry.TrialComponentName) ?? entry.TrialComponentName,
    x: entry.Steps,
    y: smooth(entry.Last, smoothing),
    line: { width: 1.5 },
    hovertemplate: `%{fullData.name}<br>step %{x}: %{y:.4g}<extra></extra>`
  }));
}

function values(runs: readonly ITrialComponent[], column: IRunColumn) {
  return runs.map(run => column.value(run) ?? null);
}

/** One point per run: `y` against `x`. */
export function scatter(
  runs: readonly ITrialComponent[],
  x: IRunColumn,
  y: IRunColumn
): PlotData[] {
  return [
    {
      type: 'scatter',
      mode: 'markers',
      x: values(runs, x) as (number | string)[],
      y: values(runs, y) as (number | string)[],
      text: runs.map(run => runLabel(run, run.TrialComponentName)),
      marker: { size: 8, opacity: 0.8 },
      hovertemplate: `%{text}<br>${x.label}: %{x}<br>${y.label}: %{y}<extra></extra>`
    }
  ];
}

/** Parallel coordinates over numeric columns, coloured by the last one. */
export function parallelCoordinates(
  runs: readonly ITrialComponent[],
  columns: readonly IRunColumn[]
): PlotData[] {
  const colour = columns[columns.length - 1];
  return [
    {
      type: 'parcoords',
      line: {
        color: colour ? (values(runs, colour) as number[]) : undefined,
        colorscale: 'Viridis',
        showscale: true
      },
      dimensions: columns.map(column => ({
        label: column.label,
        values: values(runs, column) as number[]
      }))
    } as PlotData
  ];
}

/** A bar per run. */
export function bars(
  runs: readonly ITrialComponent[],
  column: IRunColumn
): PlotData[] {
  return [
    {
      type: 'bar',
      x: runs.map(run => runLabel(run, run.TrialComponentName)),
      y: values(runs, column) as number[],
      name: column.label
    }
  ];
}

/** The distribution of a column over the runs. */
export function histogram(
  runs: readonly ITrialComponent[],
  column: IRunColumn
): PlotData[] {
  return [
    {
      type: 'histogram',
      x: values(runs, column) as number[],
      name: column.label
    }
  ];
}

/** A classifier chart logged by `log_confusion_matrix`, `log_roc_curve`, `log_precision_recall`. */
export interface ICurveFigure {
  data: PlotData[];
  layout: PlotLayout;
}

/** The figure of a logged chart artifact, or null when the JSON is not one. */
export function curveFigure(json: unknown): ICurveFigure | null {
  const chart = json as Record<string, unknown> | null;
  if (!chart || typeof chart !== 'object') {
    return null;
  }
  const title = typeof chart.title === 'string' ? chart.title : undefined;
  switch (chart.type) {
    case 'ConfusionMatrix': {
      const matrix = chart.confusionMatrix as number[][];
      const labels = matrix.map((_, i) => String(i));
      return {
        data: [
          {
            type: 'heatmap',
            z: matrix,
            x: labels,
            y: labels,
            colorscale: 'Blues',
            text: matrix.map(row => row.map(String)) as unknown as string[],
            texttemplate: '%{text}',
            hovertemplate: 'true %{y}, predicted %{x}: %{z}<extra></extra>'
          } as PlotData
        ],
        layout: {
          title: { text: title ?? 'Confusion matrix' },
          xaxis: { title: { text: 'Predicted' } },
          yaxis: { title: { text: 'True' }, autorange: 'reversed' }
        }
      };
    }
    case 'ROCCurve':
      return {
        data: [
          {
            type: 'scatter',
            mode: 'lines',
            name: `AUC ${Number(chart.areaUnderCurve).toFixed(3)}`,
            x: chart.falsePositiveRate as number[],
            y: chart.truePositiveRate as number[]
          },
          {
            type: 'scatter',
            mode: 'lines',
            name: 'chance',
            x: [0, 1],
            y: [0, 1],
            line: { dash: 'dot', width: 1 }
          }
        ],
        layout: {
          title: { text: title ?? 'ROC curve' },
          xaxis: { title: { text: 'False positive rate' }, range: [0, 1] },
          yaxis: { title: { text: 'True positive rate' }, range: [0, 1.02] }
        }
      };
    case 'PrecisionRecallCurve':
      return {
        data: [
          {
            type: 'scatter',
            mode: 'lines',
            name: `AP ${Number(chart.averagePrecisionScore).toFixed(3)}`,
            x: chart.recall as number[],
            y: chart.precision as number[]
          }
        ],
        layout: {
          title: { text: title ?? 'Precision-recall curve' },
          xaxis: { title: { text: 'Recall' }, range: [0, 1] },
          yaxis: { title: { text: 'Precision' }, range: [0, 1.02] }
        }
      };
    default:
      return null;
  }
}
