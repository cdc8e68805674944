/**
 * The runs of one expanded experiment: filter, sort, a windowed list that loads its
 * first page at once and the next ones as it scrolls near its end, compare.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { ITrialComponent, RunStatus } from '../api/types';
import { StatusBadge } from '../components/StatusBadge';
import { useSignals } from '../components/useSignals';
import { VirtualList } from '../components/VirtualList';
import { formatNumber } from '../format';
import { lastValue, RunSortKey, RunsModel } from '../models/runs';
import { LoadMore } from './loadMore';

/** The height of a run row, in pixels (see .jp-mlstudio-RunRow). */
export const RUN_ROW_HEIGHT = 28;
/** How tall the run list grows before it scrolls. */
const LIST_HEIGHT = 360;
/** How near the end (in rows) scrolling loads the next page. */
const LOAD_AHEAD = 15;
/** How many metrics a row shows. */
const KEY_METRICS = 2;
const STATUSES: RunStatus[] = [
  'InProgress',
  'Completed',
  'Failed',
  'Stopping',
  'Stopped'
];

// The compare view still imports the hook from here.
export { useSignals } from '../components/useSignals';

export interface IRunsPanelProps {
  model: RunsModel;
  trans: TranslationBundle;
  onOpenRun: (name: string) => void;
  onCompare: (names: string[]) => void;
  /** How many runs the experiment has (its summary's count), when known. */
  total?: number;
  /** Opens the experiment view, offered under the list. */
  onOpenExperiment?: () => void;
}

export function RunsPanel(props: IRunsPanelProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.viewChanged, model.stateChanged);
  const state = model.state;
  const shown = model.shown;
  const keyMetrics = model.metricNames.slice(0, KEY_METRICS);
  const selected = model.selected;
  const filter = model.filter;

  const sortValue = `${model.sort.key}|${model.sort.descending ? 'desc' : 'asc'}`;
  const sortOptions: [string, string][] = [
    ['StartTime|desc', trans.__('Newest first')],
    ['StartTime|asc', trans.__('Oldest first')],
    ['Name|asc', trans.__('Name')]
  ];
  for (const metric of model.metricNames) {
    sortOptions.push([
      `metric:${metric}|desc`,
      trans.__('%1 (high first)', metric)
    ]);
    sortOptions.push([
      `metric:${metric}|asc`,
      trans.__('%1 (low first)', metric)
    ]);
  }

  const renderRow = (index: number) => {
    const run = shown[index];
    return (
      <RunRow
        run={run}
        trans={trans}
        metrics={keyMetrics}
        checked={selected.has(run.TrialComponentName)}
        onCheck={on => model.toggle(run.TrialComponentName, on)}
        onOpen={() => props.onOpenRun(run.TrialComponentName)}
      />
    );
  };

  return (
    <div
      className="jp-mlstudio-Runs"
      data-experiment={model.experimentName}
      aria-busy={state.kind === 'loading'}
    >
      <div className="jp-mlstudio-Runs-filters">
        <input
          type="search"
          className="jp-mod-styled jp-mlstudio-Runs-text"
          placeholder={trans.__('Filter runs')}
          aria-label={trans.__('Filter runs by name')}
          value={filter.text}
          onChange={e => (model.filter = { ...filter, text: e.target.value })}
        />
        <input
          type="search"
          className="jp-mod-styled jp-mlstudio-Runs-tag"
          placeholder={trans.__('tag=value')}
          aria-label={trans.__('Filter runs by tag')}
          value={filter.tag}
          onChange={e => (model.filter = { ...filter, tag: e.target.value })}
        />
        <select
          className="jp-mod-styled jp-mlstudio-Runs-status"
          aria-label={trans.__('Filter runs by status')}
          value={filter.status}
          onChange={e =>
            (model.filter = {
              ...filter,
              status: e.target.value as RunStatus | ''
            })
          }
        >
          <option value="">{trans.__('Any status')}</option>
          {STATUSES.map(status => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
        <select
          className="jp-mod-styled jp-mlstudio-Runs-sort"
          aria-label={trans.__('Sort runs')}
          value={sortValue}
          onChange={e => {
            const [key, order] = e.target.value.split('|');
            model.sort = {
              key: key as RunSortKey,
              descending: order === 'desc'
            };
          }}
        >
          {sortOptions.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="jp-mlstudio-Runs-actions">
        <label className="jp-mlstudio-Runs-all">
          <input
            type="checkbox"
            checked={shown.length > 0 && selected.size >= shown.length}
            onChange={e => model.selectShown(e.target.checked)}
          />
          {trans.__(
            '%1 of %2 runs',
            shown.length,
            model.hasMore
              ? (props.total ?? model.runs.length)
              : model.runs.length
          )}
          {model.inProgress ? ` · ${trans.__('live')}` : ''}
        </label>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept jp-mlstudio-Compare"
          disabled={selected.size < 2}
          title={trans.__('Compare the checked runs (2 to 1,000)')}
          onClick={() => props.onCompare([...selected])}
        >
          {trans.__('Compare (%1)', selected.size)}
        </button>
      </div>
      {state.kind === 'loading' && (
        <p className="jp-mlstudio-Loading" role="status">
          {trans.__('Loading runs…')}
        </p>
      )}
      {state.kind === 'error' && (
        <p className="jp-mlstudio-Runs-error" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === 'ready' && shown.length === 0 && (
        <p className="jp-mlstudio-Runs-empty">
          {model.runs.length
            ? trans.__('No runs match the filter.')
            : trans.__('No runs yet.')}
        </p>
      )}
      {shown.length > 0 && (
        <div
          className="jp-mlstudio-Runs-list"
          onScrollCapture={event => {
            const list = event.target as HTMLElement;
            const left = list.scrollHeight - list.scrollTop - list.clientHeight;
            if (left < LOAD_AHEAD * RUN_ROW_HEIGHT && model.hasMore) {
              void model.loadMore();
            }
          }}
        >
          <VirtualList
            count={shown.length}
            rowHeight={RUN_ROW_HEIGHT}
            maxHeight={LIST_HEIGHT}
            renderRow={renderRow}
            rowKey={index => shown[index].TrialComponentName}
            label={trans.__('Runs of %1', model.experimentName)}
          />
        </div>
      )}
      {state.kind === 'ready' && model.hasMore && (
        <LoadMore
          label={trans.__('Load more runs')}
          loading={model.loadingMore}
          onLoad={() => void model.loadMore()}
        />
      )}
      {props.onOpenExperiment && (
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mlstudio-Runs-open"
          onClick={props.onOpenExperiment}
        >
          {trans.__('Open all runs as a table')}
        </button>
      )}
    </div>
  );
}

interface IRunRowProps {
  run: ITrialComponent;
  trans: TranslationBundle;
  metrics: string[];
  checked: boolean;
  onCheck: (on: boolean) => void;
  onOpen: () => void;
}

function RunRow(props: IRunRowProps): JSX.Element {
  const { run, trans } = props;
  const label = run.DisplayName || run.TrialComponentName;
  return (
    <div className="jp-mlstudio-RunRow" data-run={run.TrialComponentName}>
      <input
        type="checkbox"
        checked={props.checked}
        aria-label={trans.__('Select %1 for comparison', label)}
        onChange={e => props.onCheck(e.target.checked)}
      />
      <button
        type="button"
        className="jp-mlstudio-RunRow-name"
        title={trans.__('Open run %1', run.TrialComponentName)}
        onClick={props.onOpen}
      >
        {label}
      </button>
      <StatusBadge status={run.Status.PrimaryStatus} />
      <span className="jp-mlstudio-RunRow-metrics">
        {props.metrics.map(metric => {
          const value = lastValue(run, metric);
          return value === undefined ? null : (
            <span key={metric} title={trans.__('last %1', metric)}>
              {metric} {formatNumber(value)}
            </span>
          );
        })}
      </span>
    </div>
  );
}
