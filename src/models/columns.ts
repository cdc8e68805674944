/**
 * The columns runs can be compared by: parameters and metric summaries, each a value
 * per run; which differ between runs; and sorting runs by one.
 */
import { ITrialComponent } from '../api/types';

export type SummaryStat = 'Last' | 'Min' | 'Max' | 'Avg' | 'StdDev' | 'Count';
export const SUMMARY_STATS: SummaryStat[] = [
  'Last',
  'Min',
  'Max',
  'Avg',
  'StdDev',
  'Count'
];

export interface IRunColumn {
  /** `param:<name>` or `metric:<name>:<stat>`. */
  id: string;
  /** As SageMaker's analytics names it: `lr`, `loss - Last`. */
  label: string;
  kind: 'param' | 'metric';
  value: (run: ITrialComponent) => number | string | undefined;
}

export function paramColumn(name: string): IRunColumn {
  return {
    id: `param:${name}`,
    label: name,
    kind: 'param',
    value: run => run.Parameters?.[name]
  };
}

export function metricColumn(name: string, stat: SummaryStat): IRunColumn {
  return {
    id: `metric:${name}:${stat}`,
    label: `${name} - ${stat}`,
    kind: 'metric',
    value: run => run.Metrics?.find(m => m.MetricName === name)?.[stat]
  };
}

/** Every parameter and metric-summary column the runs have, parameters first. */
export function runColumns(runs: readonly ITrialComponent[]): IRunColumn[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const run of runs) {
    Object.keys(run.Parameters ?? {}).forEach(name => params.add(name));
    run.Metrics?.forEach(metric => metrics.add(metric.MetricName));
  }
  const columns = [...params].sort().map(paramColumn);
  for (const name of [...metrics].sort()) {
    SUMMARY_STATS.forEach(stat => columns.push(metricColumn(name, stat)));
  }
  return columns;
}

/** Whether a column has more than one distinct value across the runs. */
export function differs(
  column: IRunColumn,
  runs: readonly ITrialComponent[]
): boolean {
  if (runs.length === 0) {
    return false;
  }
  const first = column.value(runs[0]);
  return runs.some(run => column.value(run) !== first);
}

/** Whether every value of a column is a number (or missing), so it can be plotted. */
export function isNumeric(
  column: IRunColumn,
  runs: readonly ITrialComponent[]
): boolean {
  return runs.every(run => {
    const value = column.value(run);
    return value === undefined || typeof value === 'number';
  });
}

/** A copy of `runs` sorted by a column; missing values come last. */
export function sortByColumn(
  runs: readonly ITrialComponent[],
  column: IRunColumn | null,
  descending: boolean
): ITrialComponent[] {
  if (!column) {
    return [...runs];
  }
  const sign = descending ? -1 : 1;
  return runs
    .map(run => ({ run, key: column.value(run) }))
    .sort((a, b) => {
      if (a.key === undefined || b.key === undefined) {
        return a.key === b.key ? 0 : a.key === undefined ? 1 : -1;
      }
      if (typeof a.key === 'number' && typeof b.key === 'number') {
        return (a.key - b.key) * sign;
      }
      return String(a.key).localeCompare(String(b.key)) * sign;
    })
    .map(entry => entry.run);
}
