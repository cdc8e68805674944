/**
 * Plotly figures of a tuning job: each training job's objective against its number
 * with the best value so far, and the hyperparameters as parallel coordinates coloured
 * by the objective.
 */
import { ITuningTrainingJob } from '../api/tuning';
import { formatNumber } from '../format';
import {
  IParameterRange,
  jobNumbers,
  ObjectiveType,
  objectiveSeries,
  objectiveValue,
  stoppedEarly
} from '../models/tuningSpec';
import { PlotData, PlotLayout } from './Plot';

/** The names of the traces and axes, translated by the caller. */
export interface ITuningFigureLabels {
  jobNumber: string;
  objective: string;
  completed: string;
  stoppedEarly: string;
  bestSoFar: string;
  best: string;
}

export interface IFigure {
  data: PlotData[];
  layout: PlotLayout;
}

/**
 * Objective against training job number: the jobs that ran to the end, those stopped
 * early (crosses), the best so far as a step line and the best job as a star.
 */
export function objectiveFigure(
  jobs: readonly ITuningTrainingJob[],
  type: ObjectiveType,
  metricName: string,
  labels: ITuningFigureLabels
): IFigure {
  const series = objectiveSeries(jobs, type);
  // Plotly does not read CSS variables: the theme's colours, as they are now (fixed,
  // so that a trace keeps its colour whichever traces there are).
  const brand = cssColor('--jp-brand-color1', '#1976d2');
  const warn = cssColor('--jp-warn-color1', '#f57c00');
  const success = cssColor('--jp-success-color1', '#388e3c');
  const points = (early: boolean): PlotData => {
    const indices = series.jobs
      .map((job, index) => (stoppedEarly(job) === early ? index : -1))
      .filter(index => index >= 0);
    return {
      type: 'scatter',
      mode: 'markers',
      name: early ? labels.stoppedEarly : labels.completed,
      x: indices.map(i => series.numbers[i]),
      y: indices.map(i => series.values[i]),
      text: indices.map(i => series.jobs[i].TrainingJobName),
      customdata: indices.map(i => series.jobs[i].TrainingJobName),
      marker: early
        ? { symbol: 'x', size: 9, color: warn }
        : { symbol: 'circle', size: 8, opacity: 0.85, color: brand },
      hovertemplate: `%{text}<br>#%{x}: %{y:.4g}<extra>%{fullData.name}</extra>`
    };
  };
  const data: PlotData[] = [points(false)];
  if (series.jobs.some(stoppedEarly)) {
    data.push(points(true));
  }
  if (series.numbers.length) {
    const last = series.best.length - 1;
    const bestIndex = series.values.indexOf(series.best[last]);
    data.push(
      {
        type: 'scatter',
        mode: 'lines',
        name: labels.bestSoFar,
        x: series.numbers,
        y: series.best,
        line: { shape: 'hv', width: 2, color: success },
        hovertemplate: `#%{x}: %{y:.4g}<extra>${labels.bestSoFar}</extra>`
      },
      {
        type: 'scatter',
        mode: 'markers',
        name: labels.best,
        x: [series.numbers[bestIndex]],
        y: [series.values[bestIndex]],
        text: [series.jobs[bestIndex].TrainingJobName],
        customdata: [series.jobs[bestIndex].TrainingJobName],
        marker: {
          symbol: 'star',
          size: 16,
          color: success,
          line: { width: 1, color: brand }
        },
        hovertemplate: `%{text}<br>#%{x}: %{y:.4g}<extra>${labels.best}</extra>`
      }
    );
  }
  const numbers = [...jobNumbers(jobs).values()];
  const maxNumber = numbers.length ? Math.max(...numbers) : 1;
  return {
    data,
    layout: {
      xaxis: {
        title: { text: labels.jobNumber },
        tick0: 1,
        dtick: maxNumber <= 20 ? 1 : undefined,
        range: [0.5, maxNumber + 0.5]
      },
      yaxis: { title: { text: metricName || labels.objective } },
      legend: { orientation: 'h', y: -0.25 },
      margin: { l: 64, r: 16, t: 16, b: 80 }
    }
  };
}

function cssColor(name: string, fallback: string): string {
  if (typeof document === 'undefined') {
    return fallback;
  }
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/** One axis of the parallel coordinates. */
export interface IDimension {
  label: string;
  values: number[];
  tickvals?: number[];
  ticktext?: string[];
  range?: [number, number];
}

/**
 * Ticks of a log axis: positions in log10 space, labelled in values — at the powers
 * of ten when the axis spans a decade or more, else at five even steps.
 */
function logTicks(low: number, high: number): [number[], string[]] {
  let positions: number[] = [];
  for (let power = Math.ceil(low - 1e-9); power <= high + 1e-9; power++) {
    positions.push(power);
  }
  if (positions.length < 2) {
    const steps = 4;
    positions = Array.from(
      { length: steps + 1 },
      (_, i) => low + ((high - low) * i) / steps
    ).filter(
      (position, index, all) => index === 0 || position !== all[index - 1]
    );
  }
  return [
    positions,
    positions.map(position =>
      formatNumber(Number((10 ** position).toPrecision(3)))
    )
  ];
}

/**
 * The axis of one hyperparameter over the jobs: categorical values at their index in
 * the range (ticks say the value), logarithmic ranges on a log10 axis, numbers as
 * they are. Null when a value cannot be placed (a text in a numeric range).
 */
export function parameterDimension(
  name: string,
  range: IParameterRange | undefined,
  values: readonly (string | undefined)[]
): IDimension | null {
  const numbers = values.map(value =>
    value === undefined || value.trim() === '' ? NaN : Number(value)
  );
  const numeric =
    range?.kind !== 'Categorical' && numbers.every(n => Number.isFinite(n));
  if (!numeric) {
    const categories = [...(range?.values ?? [])];
    for (const value of values) {
      if (value !== undefined && !categories.includes(value)) {
        categories.push(value);
      }
    }
    return {
      label: name,
      values: values.map(value =>
        value === undefined ? NaN : categories.indexOf(value)
      ),
      tickvals: categories.map((_, index) => index),
      ticktext: categories,
      range: [0, Math.max(0, categories.length - 1)]
    };
  }
  const logarithmic =
    range?.scaling === 'Logarithmic' && numbers.every(n => n > 0);
  if (logarithmic) {
    const logs = numbers.map(n => Math.log10(n));
    const low = Math.log10(range?.min && range.min > 0 ? range.min : 1);
    const high = Math.log10(range?.max && range.max > 0 ? range.max : 1);
    const lower = Math.min(low, ...logs);
    const upper = Math.max(high, ...logs);
    const [tickvals, ticktext] = logTicks(lower, upper);
    return {
      label: `${name} (log)`,
      values: logs,
      tickvals,
      ticktext,
      range: [lower, upper]
    };
  }
  const dimension: IDimension = { label: name, values: numbers };
  if (range?.min !== undefined && range.max !== undefined) {
    dimension.range = [
      Math.min(range.min, ...numbers),
      Math.max(range.max, ...numbers)
    ];
  }
  return dimension;
}

/**
 * Parallel coordinates of the jobs that reported an objective: one axis per
 * hyperparameter and a last one for the objective, lines coloured by it (the best
 * values brightest, for Minimize as for Maximize). Null with no such job.
 */
export function parallelFigure(
  jobs: readonly ITuningTrainingJob[],
  names: readonly string[],
  ranges: readonly IParameterRange[],
  type: ObjectiveType,
  metricName: string
): IFigure | null {
  const scored = jobs.filter(job => objectiveValue(job) !== null);
  if (!scored.length) {
    return null;
  }
  const byName = new Map(ranges.map(range => [range.name, range]));
  const dimensions = names
    .map(name =>
      parameterDimension(
        name,
        byName.get(name),
        scored.map(job => job.TunedHyperParameters?.[name])
      )
    )
    .filter((dimension): dimension is IDimension => dimension !== null);
  const objectives = scored.map(job => objectiveValue(job)!);
  dimensions.push({ label: metricName, values: objectives });
  return {
    data: [
      {
        type: 'parcoords',
        line: {
          color: objectives,
          colorscale: 'Viridis',
          reversescale: type === 'Minimize',
          showscale: true,
          colorbar: { title: { text: metricName }, thickness: 12 }
        },
        dimensions
      } as unknown as PlotData
    ],
    layout: { margin: { l: 72, r: 72, t: 48, b: 24 } }
  };
}
