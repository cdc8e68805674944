/** The runs of a comparison as a table: chosen columns, sortable, windowed rows. */
import React from 'react';

import { ITrialComponent } from '../api/types';
import { formatNumber } from '../format';
import { IRunColumn, sortByColumn } from '../models/columns';
import { StatusBadge } from './StatusBadge';
import { VirtualList } from './VirtualList';

const ROW_HEIGHT = 26;
const MAX_HEIGHT = 420;
const NAME_WIDTH = 220;
const STATUS_WIDTH = 110;
const CELL_WIDTH = 120;

export interface ICompareTableProps {
  runs: readonly ITrialComponent[];
  columns: readonly IRunColumn[];
  /** The column sorted by (null: as given), and its direction. */
  sortBy: string | null;
  descending: boolean;
  onSort: (columnId: string) => void;
  onOpenRun?: (name: string) => void;
  /** The header of the run name column. */
  runHeader: string;
  /** The header of the status column. */
  statusHeader: string;
}

export function CompareTable(props: ICompareTableProps): JSX.Element {
  const { columns } = props;
  const sortColumn = columns.find(c => c.id === props.sortBy) ?? null;
  const rows = React.useMemo(
    () => sortByColumn(props.runs, sortColumn, props.descending),
    [props.runs, sortColumn, props.descending]
  );
  const template = `${NAME_WIDTH}px ${STATUS_WIDTH}px ${columns
    .map(() => `${CELL_WIDTH}px`)
    .join(' ')}`;
  const width = NAME_WIDTH + STATUS_WIDTH + columns.length * CELL_WIDTH;
  const arrow = (id: string) =>
    props.sortBy === id ? (props.descending ? ' ▼' : ' ▲') : '';
  const ariaSort = (id: string) =>
    props.sortBy === id
      ? props.descending
        ? 'descending'
        : 'ascending'
      : undefined;

  return (
    <div className="jp-mlstudio-CompareTable" role="table">
      <div style={{ width }}>
        <div
          className="jp-mlstudio-CompareTable-head"
          role="row"
          style={{ gridTemplateColumns: template }}
        >
          <span role="columnheader">{props.runHeader}</span>
          <span role="columnheader">{props.statusHeader}</span>
          {columns.map(column => (
            <button
              key={column.id}
              type="button"
              role="columnheader"
              aria-sort={ariaSort(column.id)}
              data-column={column.id}
              title={column.label}
              onClick={() => props.onSort(column.id)}
            >
              {column.label}
              {arrow(column.id)}
            </button>
          ))}
        </div>
        <VirtualList
          count={rows.length}
          rowHeight={ROW_HEIGHT}
          maxHeight={MAX_HEIGHT}
          rowKey={index => rows[index].TrialComponentName}
          renderRow={index => {
            const run = rows[index];
            return (
              <div
                className="jp-mlstudio-CompareTable-row"
                role="row"
                data-run={run.TrialComponentName}
                style={{ gridTemplateColumns: template }}
              >
                <button
                  type="button"
                  role="cell"
                  className="jp-mlstudio-Link"
                  title={run.TrialComponentName}
                  onClick={() => props.onOpenRun?.(run.TrialComponentName)}
                >
                  {run.DisplayName || run.TrialComponentName}
                </button>
                <span role="cell">
                  <StatusBadge status={run.Status.PrimaryStatus} />
                </span>
                {columns.map(column => (
                  <span role="cell" key={column.id}>
                    {formatNumber(column.value(run))}
                  </span>
                ))}
              </div>
            );
          }}
        />
      </div>
    </div>
  );
}
