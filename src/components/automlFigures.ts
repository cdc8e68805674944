/**
 * The plotly figure of an AutoML job: each candidate's objective in launch order, with
 * the best value so far as a step line and the best candidate starred.
 */
import { IAutoMLCandidate } from '../api/automl';
import { objectiveSeries, ObjectiveType } from '../models/automlSpec';
import { PlotData, PlotLayout } from './Plot';

/** The names of the traces and axes, translated by the caller. */
export interface IAutoMLFigureLabels {
  candidateNumber: string;
  objective: string;
  candidate: string;
  bestSoFar: string;
  best: string;
}

export interface IAutoMLFigure {
  data: PlotData[];
  layout: PlotLayout;
}

function cssColor(name: string, fallback: string): string {
  if (typeof document === 'undefined') {
    return fallback;
  }
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/** The candidate's algorithm and preprocessing, as the chart's hover names them. */
function described(candidate: IAutoMLCandidate): string {
  const definition = candidate.CandidateDefinition ?? {};
  return [definition.Algorithm, definition.Preprocessing]
    .filter(Boolean)
    .join(' · ');
}

/**
 * Objective against candidate number (launch order, over all candidates): the
 * candidates with a value, the best so far, and the best one as a star.
 */
export function candidateObjectiveFigure(
  candidates: readonly IAutoMLCandidate[],
  type: ObjectiveType,
  metricName: string,
  labels: IAutoMLFigureLabels
): IAutoMLFigure {
  const series = objectiveSeries(candidates, type);
  // Plotly does not read CSS variables: the theme's colours, as they are now.
  const brand = cssColor('--jp-brand-color1', '#1976d2');
  const success = cssColor('--jp-success-color1', '#388e3c');
  const names = series.candidates.map(candidate => candidate.CandidateName);
  const data: PlotData[] = [
    {
      type: 'scatter',
      mode: 'markers',
      name: labels.candidate,
      x: series.numbers,
      y: series.values,
      text: series.candidates.map(
        candidate => `${candidate.CandidateName}<br>${described(candidate)}`
      ),
      customdata: names,
      marker: { symbol: 'circle', size: 8, opacity: 0.85, color: brand },
      hovertemplate: `%{text}<br>#%{x}: %{y:.4g}<extra>%{fullData.name}</extra>`
    }
  ];
  if (series.values.length) {
    const best = series.best[series.best.length - 1];
    const bestIndex = series.values.indexOf(best);
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
        y: [best],
        text: [names[bestIndex]],
        customdata: [names[bestIndex]],
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
  const count = Math.max(candidates.length, 1);
  return {
    data,
    layout: {
      xaxis: {
        title: { text: labels.candidateNumber },
        tick0: 1,
        dtick: count <= 20 ? 1 : undefined,
        range: [0.5, count + 0.5]
      },
      yaxis: { title: { text: metricName || labels.objective } },
      legend: { orientation: 'h', y: -0.25 },
      margin: { l: 64, r: 16, t: 16, b: 80 }
    }
  };
}
