/**
 * The experiment view (main area): every run of one experiment as a full-width table,
 * a page at a time from the server, sortable by name, creation time, any parameter or
 * metric summary; filters (name text, status, parameter and metric ranges), a column
 * chooser remembered per experiment, and the checked runs to the compare view.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Debouncer } from '@lumino/polling';
import React from 'react';

import { ITrialComponent, RunStatus } from '../api/types';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { StatusBadge } from '../components/StatusBadge';
import { useSignals } from '../components/useSignals';
import { VirtualList } from '../components/VirtualList';
import { absoluteTime, formatNumber, relativeTime } from '../format';
import { studioIcon } from '../icons';
import {
  cellValue,
  ExperimentTableModel,
  IColumnChoice,
  IRange,
  METRIC_STATS,
  MetricStat
} from '../models/experimentTable';
import { MainAreaView } from './mainAreaView';

/** The height of a table row, in pixels (see .jp-mlstudio-ExpTable-row). */
export const TABLE_ROW_HEIGHT = 30;
/** How near the end (in rows) scrolling loads the next page. */
const LOAD_AHEAD = 20;
const SEARCH_DELAY = 300;
const STATUSES: RunStatus[] = [
  'InProgress',
  'Completed',
  'Failed',
  'Stopping',
  'Stopped'
];

export interface IExperimentViewActions {
  openRun(name: string): void;
  compare(experimentName: string, runs: string[]): void;
}

export interface IExperimentViewProps {
  model: ExperimentTableModel;
  trans: TranslationBundle;
  actions: IExperimentViewActions;
}

interface IColumn {
  key: string;
  label: string;
  title: string;
  sortable: boolean;
}

/** The table's columns: name, status, created, the chosen parameters and metrics. */
export function tableColumns(
  choice: IColumnChoice,
  trans: TranslationBundle
): IColumn[] {
  const columns: IColumn[] = [
    { key: 'Name', label: trans.__('Name'), title: '', sortable: true },
    { key: 'Status', label: trans.__('Status'), title: '', sortable: false },
    {
      key: 'CreationTime',
      label: trans.__('Created'),
      title: '',
      sortable: true
    }
  ];
  for (const name of choice.parameters) {
    columns.push({
      key: `Parameters.${name}`,
      label: name,
      title: trans.__('Parameter %1', name),
      sortable: true
    });
  }
  for (const [name, stat] of Object.entries(choice.metrics)) {
    columns.push({
      key: `Metrics.${name}.${stat}`,
      label: `${name} (${stat})`,
      title: trans.__('Metric %1, %2', name, stat),
      sortable: true
    });
  }
  return columns;
}

export function ExperimentView(props: IExperimentViewProps): JSX.Element {
  const { model, trans, actions } = props;
  useSignals(model.viewChanged, model.stateChanged);
  const [chooser, setChooser] = React.useState(false);
  const state = model.state;
  const runs = model.items;
  const columns = tableColumns(model.columns, trans);
  const template = `2em minmax(12em, 2fr) 8em 8em ${columns
    .slice(3)
    .map(() => 'minmax(6em, 1fr)')
    .join(' ')}`;
  const selected = model.selected;
  const body = React.useRef<HTMLDivElement>(null);
  const height = useHeight(body, 20 * TABLE_ROW_HEIGHT);

  const onScroll = (event: React.UIEvent<HTMLElement>) => {
    const list = event.target as HTMLElement;
    const left = list.scrollHeight - list.scrollTop - list.clientHeight;
    if (left < LOAD_AHEAD * TABLE_ROW_HEIGHT && model.hasMore) {
      void model.loadMore();
    }
  };

  const renderRow = (index: number) => (
    <TableRow
      run={runs[index]}
      columns={columns}
      template={template}
      trans={trans}
      checked={selected.has(runs[index].TrialComponentName)}
      onCheck={on => model.toggle(runs[index].TrialComponentName, on)}
      onOpen={() => actions.openRun(runs[index].TrialComponentName)}
    />
  );

  return (
    <div
      className="jp-mlstudio-ExperimentView"
      data-experiment={model.experimentName}
    >
      <div className="jp-mlstudio-ExperimentView-header">
        <h2>{model.experimentName}</h2>
        <span className="jp-mlstudio-ExperimentView-count" role="status">
          {model.hasMore
            ? trans.__('%1 runs loaded, more on scroll', runs.length)
            : trans._n('%1 run', '%1 runs', runs.length)}
        </span>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mlstudio-ExperimentView-columns"
          aria-expanded={chooser}
          onClick={() => setChooser(!chooser)}
        >
          {trans.__('Columns')}
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept jp-mlstudio-Compare"
          disabled={selected.size < 2}
          title={trans.__('Compare the checked runs (2 to 1,000)')}
          onClick={() => actions.compare(model.experimentName, [...selected])}
        >
          {trans.__('Compare (%1)', selected.size)}
        </button>
      </div>
      <Filters model={model} trans={trans} />
      {chooser && <ColumnChooser model={model} trans={trans} />}
      <div
        className="jp-mlstudio-ExpTable"
        role="table"
        aria-label={trans.__('Runs of %1', model.experimentName)}
        aria-rowcount={runs.length}
      >
        <div
          className="jp-mlstudio-ExpTable-head"
          role="row"
          style={{ gridTemplateColumns: template }}
        >
          <span role="columnheader">
            <input
              type="checkbox"
              aria-label={trans.__('Check every loaded run')}
              checked={runs.length > 0 && selected.size >= runs.length}
              onChange={e => model.selectLoaded(e.target.checked)}
            />
          </span>
          {columns.map(column => (
            <HeaderCell
              key={column.key}
              column={column}
              model={model}
              trans={trans}
            />
          ))}
        </div>
        {state.kind === 'loading' && (
          <p className="jp-mlstudio-Loading" role="status">
            {trans.__('Loading runs…')}
          </p>
        )}
        {state.kind === 'error' && (
          <ErrorState
            title={trans.__('Could not load the runs.')}
            message={state.message}
            retryLabel={trans.__('Retry')}
            onRetry={() => void model.refresh()}
          />
        )}
        {state.kind === 'ready' && runs.length === 0 && (
          <EmptyState
            title={
              isFiltered(model)
                ? trans.__('No runs match the filters.')
                : trans.__('No runs yet.')
            }
          >
            {isFiltered(model)
              ? trans.__('Clear a filter to see more runs.')
              : trans.__(
                  'Runs tracked in this experiment from a notebook or a job appear here.'
                )}
          </EmptyState>
        )}
        {runs.length > 0 && (
          <div
            ref={body}
            className="jp-mlstudio-ExpTable-body"
            onScrollCapture={onScroll}
          >
            <VirtualList
              count={runs.length}
              rowHeight={TABLE_ROW_HEIGHT}
              maxHeight={height}
              renderRow={renderRow}
              rowKey={index => runs[index].TrialComponentName}
              className="jp-mlstudio-ExpTable-rows"
              label={trans.__('Runs')}
            />
          </div>
        )}
        {model.hasMore && (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mlstudio-LoadMore"
            disabled={model.loadingMore}
            onClick={() => void model.loadMore()}
          >
            {model.loadingMore
              ? trans.__('Loading…')
              : trans.__('Load %1 more runs', model.pageSize)}
          </button>
        )}
      </div>
    </div>
  );
}

/** The height of an element as it resizes (`fallback` until measured). */
function useHeight(
  ref: React.RefObject<HTMLElement>,
  fallback: number
): number {
  const [height, setHeight] = React.useState(fallback);
  React.useEffect(() => {
    const node = ref.current;
    if (!node || typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(() => {
      if (node.clientHeight > 0) {
        setHeight(node.clientHeight);
      }
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [ref.current]);
  return height;
}

function isFiltered(model: ExperimentTableModel): boolean {
  const { text, status, ranges } = model.filter;
  return !!(text.trim() || status || ranges.length);
}

function HeaderCell(props: {
  column: IColumn;
  model: ExperimentTableModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { column, model, trans } = props;
  const sorted = model.sort.key === column.key;
  const ariaSort = sorted
    ? model.sort.descending
      ? 'descending'
      : 'ascending'
    : 'none';
  if (!column.sortable) {
    return <span role="columnheader">{column.label}</span>;
  }
  return (
    <span role="columnheader" aria-sort={ariaSort}>
      <button
        type="button"
        className="jp-mlstudio-ExpTable-sort"
        data-column={column.key}
        title={column.title || trans.__('Sort by %1', column.label)}
        onClick={() => model.sortBy(column.key)}
      >
        {column.label}
        {sorted ? (model.sort.descending ? ' ▼' : ' ▲') : ''}
      </button>
    </span>
  );
}

interface ITableRowProps {
  run: ITrialComponent;
  columns: IColumn[];
  template: string;
  trans: TranslationBundle;
  checked: boolean;
  onCheck: (on: boolean) => void;
  onOpen: () => void;
}

function TableRow(props: ITableRowProps): JSX.Element {
  const { run, trans } = props;
  const label = run.DisplayName || run.TrialComponentName;
  return (
    <div
      className={`jp-mlstudio-ExpTable-row${props.checked ? ' jp-mod-selected' : ''}`}
      role="row"
      tabIndex={0}
      data-run={run.TrialComponentName}
      aria-selected={props.checked}
      style={{ gridTemplateColumns: props.template }}
      onKeyDown={event => {
        if (event.target !== event.currentTarget) {
          return;
        }
        if (event.key === 'Enter') {
          event.preventDefault();
          props.onOpen();
        } else if (event.key === ' ') {
          event.preventDefault();
          props.onCheck(!props.checked);
        } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
          event.preventDefault();
          moveRowFocus(event.currentTarget, event.key === 'ArrowDown');
        }
      }}
    >
      <span role="cell">
        <input
          type="checkbox"
          tabIndex={-1}
          checked={props.checked}
          aria-label={trans.__('Check %1 for comparison', label)}
          onChange={e => props.onCheck(e.target.checked)}
        />
      </span>
      <span role="cell" className="jp-mlstudio-ExpTable-name">
        <button
          type="button"
          tabIndex={-1}
          className="jp-mlstudio-RunRow-name"
          title={trans.__('Open run %1', run.TrialComponentName)}
          onClick={props.onOpen}
        >
          {label}
        </button>
      </span>
      <span role="cell">
        <StatusBadge status={run.Status.PrimaryStatus} />
      </span>
      <span role="cell">
        <time
          dateTime={run.CreationTime}
          title={absoluteTime(run.CreationTime)}
        >
          {relativeTime(run.CreationTime)}
        </time>
      </span>
      {props.columns.slice(3).map(column => {
        const value = cellValue(run, column.key);
        return (
          <span
            role="cell"
            key={column.key}
            className="jp-mlstudio-ExpTable-value"
          >
            {typeof value === 'number' ? formatNumber(value) : (value ?? '—')}
          </span>
        );
      })}
    </div>
  );
}

/** Arrow keys move between the rendered rows (the list scrolls the focused one in). */
function moveRowFocus(row: HTMLElement, down: boolean): void {
  const slot = row.parentElement;
  const sibling = (
    down ? slot?.nextElementSibling : slot?.previousElementSibling
  )?.querySelector<HTMLElement>('.jp-mlstudio-ExpTable-row');
  sibling?.focus();
}

function Filters(props: {
  model: ExperimentTableModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const filter = model.filter;
  const [text, setText] = React.useState(filter.text);
  const debouncer = React.useMemo(
    () =>
      new Debouncer((value: string) => {
        model.filter = { ...model.filter, text: value };
      }, SEARCH_DELAY),
    [model]
  );
  React.useEffect(() => () => debouncer.dispose(), [debouncer]);
  const keys = model.parameterNames.map(p => `Parameters.${p}`);
  for (const metric of model.metricNames) {
    METRIC_STATS.forEach(stat => keys.push(`Metrics.${metric}.${stat}`));
  }
  const [rangeKey, setRangeKey] = React.useState('');
  const [min, setMin] = React.useState('');
  const [max, setMax] = React.useState('');
  const key = rangeKey || keys[0] || '';
  const addRange = () => {
    const range: IRange = { key };
    if (min.trim() !== '' && Number.isFinite(Number(min))) {
      range.min = Number(min);
    }
    if (max.trim() !== '' && Number.isFinite(Number(max))) {
      range.max = Number(max);
    }
    if (!key || (range.min === undefined && range.max === undefined)) {
      return;
    }
    model.filter = { ...filter, ranges: [...filter.ranges, range] };
    setMin('');
    setMax('');
  };
  return (
    <div className="jp-mlstudio-ExperimentView-filters">
      <input
        type="search"
        className="jp-mod-styled jp-mlstudio-ExperimentView-text"
        placeholder={trans.__('Filter runs by name')}
        aria-label={trans.__('Filter runs by name')}
        value={text}
        onChange={e => {
          setText(e.target.value);
          void debouncer.invoke(e.target.value);
        }}
      />
      <select
        className="jp-mod-styled jp-mlstudio-ExperimentView-status"
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
      <span className="jp-mlstudio-ExperimentView-range">
        <select
          className="jp-mod-styled"
          aria-label={trans.__('Range filter column')}
          value={key}
          onChange={e => setRangeKey(e.target.value)}
          disabled={keys.length === 0}
        >
          {keys.map(k => (
            <option key={k} value={k}>
              {k.replace(/^Parameters\./, '').replace(/^Metrics\./, '')}
            </option>
          ))}
        </select>
        <input
          className="jp-mod-styled"
          inputMode="decimal"
          placeholder={trans.__('min')}
          aria-label={trans.__('Range minimum')}
          value={min}
          onChange={e => setMin(e.target.value)}
          onKeyDown={e => e.key === 'Enter' && addRange()}
        />
        <input
          className="jp-mod-styled"
          inputMode="decimal"
          placeholder={trans.__('max')}
          aria-label={trans.__('Range maximum')}
          value={max}
          onChange={e => setMax(e.target.value)}
          onKeyDown={e => e.key === 'Enter' && addRange()}
        />
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mlstudio-ExperimentView-addRange"
          disabled={!key}
          onClick={addRange}
        >
          {trans.__('Add range')}
        </button>
      </span>
      {filter.ranges.map((range, index) => (
        <span key={index} className="jp-mlstudio-Chip">
          {`${range.min ?? '−∞'} ≤ ${range.key.replace(/^(Parameters|Metrics)\./, '')} ≤ ${range.max ?? '∞'}`}
          <button
            type="button"
            className="jp-Button jp-mod-minimal"
            aria-label={trans.__('Remove range on %1', range.key)}
            onClick={() =>
              (model.filter = {
                ...filter,
                ranges: filter.ranges.filter((_, i) => i !== index)
              })
            }
          >
            ×
          </button>
        </span>
      ))}
    </div>
  );
}

function ColumnChooser(props: {
  model: ExperimentTableModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const choice = model.columns;
  const setParameter = (name: string, on: boolean) => {
    const parameters = on
      ? [...choice.parameters, name].sort()
      : choice.parameters.filter(p => p !== name);
    model.columns = { ...choice, parameters };
  };
  const setMetric = (name: string, stat: MetricStat | '') => {
    const metrics = { ...choice.metrics };
    if (stat) {
      metrics[name] = stat;
    } else {
      delete metrics[name];
    }
    model.columns = { ...choice, metrics };
  };
  return (
    <fieldset className="jp-mlstudio-ColumnChooser">
      <legend>{trans.__('Columns')}</legend>
      <div role="group" aria-label={trans.__('Parameters')}>
        <strong>{trans.__('Parameters')}</strong>
        {model.parameterNames.length === 0 && (
          <span>{trans.__('No parameters in the loaded runs.')}</span>
        )}
        {model.parameterNames.map(name => (
          <label key={name}>
            <input
              type="checkbox"
              checked={choice.parameters.includes(name)}
              onChange={e => setParameter(name, e.target.checked)}
            />
            {name}
          </label>
        ))}
      </div>
      <div role="group" aria-label={trans.__('Metrics')}>
        <strong>{trans.__('Metrics')}</strong>
        {model.metricNames.length === 0 && (
          <span>{trans.__('No metrics in the loaded runs.')}</span>
        )}
        {model.metricNames.map(name => (
          <label key={name}>
            {name}
            <select
              className="jp-mod-styled"
              aria-label={trans.__('Column of metric %1', name)}
              value={choice.metrics[name] ?? ''}
              onChange={e => setMetric(name, e.target.value as MetricStat | '')}
            >
              <option value="">{trans.__('hidden')}</option>
              {METRIC_STATS.map(stat => (
                <option key={stat} value={stat}>
                  {stat}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

let viewCount = 0;

/** The experiment view as a main-area widget (its model polls while it shows). */
export class ExperimentWidget extends MainAreaView<ExperimentTableModel> {
  constructor(
    model: ExperimentTableModel,
    trans: TranslationBundle,
    actions: IExperimentViewActions
  ) {
    super(
      model,
      ReactWidget.create(
        <ExperimentView model={model} trans={trans} actions={actions} />
      )
    );
    this.id = `mlstudio-experiment-${++viewCount}`;
    this.title.label = model.experimentName;
    this.title.caption = trans.__('Experiment %1', model.experimentName);
    this.title.icon = studioIcon;
    this.title.closable = true;
    this.addClass('jp-mlstudio-ExperimentWidget');
  }
}
