/**
 * The versions of a model group as a table: version, when it was registered, approval
 * status, description, the headline numbers of its metrics reports, customer metadata,
 * and Approve / Reject / Deploy. A row opens (click, Enter or Space) to its details:
 * the approval, the model's container, each metrics file with its report, metadata.
 * Arrow keys, Home and End move between rows.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import {
  caretDownIcon,
  caretRightIcon,
  checkIcon,
  closeIcon,
  launchIcon
} from '@jupyterlab/ui-components';
import React from 'react';

import { ModelApprovalStatus } from '../api/registry';
import { ApprovalBadge } from '../components/ApprovalBadge';
import { ArtifactUri } from '../components/ArtifactUri';
import { useSignals } from '../components/useSignals';
import { absoluteTime, formatNumber, relativeTime } from '../format';
import {
  DeployBlocker,
  deployBlocker,
  IVersionMetricsSource,
  metricsSources,
  VersionColumn
} from '../models/registry';
import { IVersionRow, ModelGroupModel } from '../models/registryGroup';
import { sourceLabel, VersionDetails } from './modelVersionDetails';

/** What the table's buttons do. */
export interface IVersionActions {
  onApproval: (
    version: number,
    current: ModelApprovalStatus,
    decision: 'Approved' | 'Rejected'
  ) => void;
  onDeploy: (version: number) => void;
}

/** Why Deploy is unavailable, in words. */
export function blockerText(
  blocker: DeployBlocker,
  trans: TranslationBundle
): string {
  switch (blocker) {
    case 'pending':
      return trans.__(
        'Pending approval: approve this version to deploy it. Only approved versions are deployed.'
      );
    case 'rejected':
      return trans.__(
        'This version was rejected: approve it again to deploy it.'
      );
    case 'no-model':
      return trans.__(
        'This version has no container with a model to deploy (InferenceSpecification.Containers).'
      );
    default:
      return trans.__('Reading this version…');
  }
}

export interface IVersionsTableProps extends IVersionActions {
  model: ModelGroupModel;
  trans: TranslationBundle;
}

export function VersionsTable(props: IVersionsTableProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.reports.changed);
  const sort = model.sort;
  const rows = model.versions;
  const header = (column: VersionColumn, label: string) => {
    const sorted = sort.column === column;
    return (
      <th
        scope="col"
        data-column={column}
        aria-sort={
          sorted ? (sort.descending ? 'descending' : 'ascending') : undefined
        }
      >
        <button
          type="button"
          className="jp-mlstudio-VersionsTable-sort"
          title={trans.__('Sort by %1', label.toLowerCase())}
          onClick={() => model.sortBy(column)}
        >
          {label}
          <span aria-hidden="true">
            {sorted ? (sort.descending ? ' ▼' : ' ▲') : ''}
          </span>
        </button>
      </th>
    );
  };
  return (
    <div className="jp-mlstudio-VersionsTable-scroll">
      <table
        className="jp-mlstudio-Table jp-mlstudio-VersionsTable"
        aria-label={trans.__('Versions of %1', model.name)}
      >
        <thead>
          <tr>
            {header('version', trans.__('Version'))}
            {header('created', trans.__('Registered'))}
            {header('status', trans.__('Approval'))}
            <th scope="col">{trans.__('Description')}</th>
            <th scope="col">{trans.__('Metrics')}</th>
            <th scope="col">{trans.__('Metadata')}</th>
            <th scope="col">
              <span className="jp-mlstudio-VisuallyHidden">
                {trans.__('Actions')}
              </span>
            </th>
          </tr>
        </thead>
        <tbody onKeyDown={moveFocus}>
          {rows.map(row => (
            <VersionRows
              key={row.summary.ModelPackageVersion}
              row={row}
              {...props}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Arrow keys move between version rows, Home/End to the first/last. */
function moveFocus(event: React.KeyboardEvent<HTMLTableSectionElement>): void {
  const rows = Array.from(
    event.currentTarget.querySelectorAll<HTMLElement>('tr[data-version]')
  );
  const index = rows.indexOf(event.target as HTMLElement);
  if (index < 0) {
    return;
  }
  const target = {
    ArrowDown: Math.min(index + 1, rows.length - 1),
    ArrowUp: Math.max(index - 1, 0),
    Home: 0,
    End: rows.length - 1
  }[event.key];
  if (target !== undefined) {
    event.preventDefault();
    rows[target].focus();
  }
}

function VersionRows(
  props: IVersionsTableProps & { row: IVersionRow }
): JSX.Element {
  const { model, trans, row } = props;
  const { summary, described } = row;
  const version = summary.ModelPackageVersion;
  const status = summary.ModelApprovalStatus;
  const expanded = model.isExpanded(version);
  const updating = model.isUpdating(version);
  const blocker = deployBlocker(status, described);
  const detailsId = `mlstudio-version-${model.name}-${version}`;
  const toggle = () => model.setExpanded(version, !expanded);
  const metadata = Object.entries(described?.CustomerMetadataProperties ?? {});
  const Caret = expanded ? caretDownIcon : caretRightIcon;
  return (
    <>
      <tr
        data-version={version}
        data-approval={status}
        className={`jp-mlstudio-VersionRow${expanded ? ' jp-mod-expanded' : ''}`}
        tabIndex={0}
        aria-expanded={expanded}
        aria-controls={detailsId}
        aria-label={trans.__('Version %1', version)}
        onClick={event => {
          if (!(event.target as HTMLElement).closest('button, a, code')) {
            toggle();
          }
        }}
        onKeyDown={event => {
          if (
            (event.key === 'Enter' || event.key === ' ') &&
            event.target === event.currentTarget
          ) {
            event.preventDefault();
            toggle();
          }
        }}
      >
        <td className="jp-mlstudio-VersionsTable-version">
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-mlstudio-Expand"
            tabIndex={-1}
            aria-hidden="true"
            title={
              expanded ? trans.__('Hide details') : trans.__('Show details')
            }
            onClick={toggle}
          >
            <Caret.react tag="span" elementSize="normal" />
          </button>
          {trans.__('v%1', version)}
        </td>
        <td className="jp-mlstudio-VersionsTable-created">
          <time
            dateTime={summary.CreationTime}
            title={absoluteTime(summary.CreationTime)}
          >
            {relativeTime(summary.CreationTime)}
          </time>
        </td>
        <td className="jp-mlstudio-VersionsTable-approval">
          <ApprovalBadge
            status={status}
            trans={trans}
            title={described?.ApprovalDescription ?? undefined}
          />
        </td>
        <td
          className="jp-mlstudio-VersionsTable-description"
          title={summary.ModelPackageDescription ?? ''}
        >
          {summary.ModelPackageDescription || (
            <span className="jp-mlstudio-Muted">—</span>
          )}
        </td>
        <td className="jp-mlstudio-VersionsTable-metrics">
          {described ? (
            <MetricsCell
              model={model}
              sources={metricsSources(described)}
              trans={trans}
            />
          ) : (
            <span className="jp-mlstudio-Muted">…</span>
          )}
        </td>
        <td className="jp-mlstudio-VersionsTable-metadata">
          {metadata.length ? (
            metadata.map(([key, value]) => (
              <span
                key={key}
                className="jp-mlstudio-MetadataTag"
                title={`${key}=${value}`}
              >
                {key}={value}
              </span>
            ))
          ) : (
            <span className="jp-mlstudio-Muted">—</span>
          )}
        </td>
        <td className="jp-mlstudio-VersionsTable-actions">
          <ActionButton
            className="jp-mlstudio-ApproveVersion"
            icon={checkIcon}
            label={trans.__('Approve')}
            unavailable={
              updating
                ? trans.__('Saving…')
                : status === 'Approved'
                  ? trans.__('This version is approved.')
                  : null
            }
            title={trans.__('Approve version %1', version)}
            onClick={() => props.onApproval(version, status, 'Approved')}
          />
          <ActionButton
            className="jp-mlstudio-RejectVersion"
            icon={closeIcon}
            label={trans.__('Reject')}
            unavailable={
              updating
                ? trans.__('Saving…')
                : status === 'Rejected'
                  ? trans.__('This version is rejected.')
                  : null
            }
            title={trans.__('Reject version %1', version)}
            onClick={() => props.onApproval(version, status, 'Rejected')}
          />
          <ActionButton
            className="jp-mlstudio-DeployVersion"
            icon={launchIcon}
            label={trans.__('Deploy')}
            unavailable={blocker ? blockerText(blocker, trans) : null}
            title={trans.__('Deploy version %1 to an endpoint', version)}
            onClick={() => props.onDeploy(version)}
          />
        </td>
      </tr>
      {expanded ? (
        <tr className="jp-mlstudio-VersionDetailsRow" id={detailsId}>
          <td colSpan={7}>
            <VersionDetails model={model} row={row} trans={trans} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * A button that stays focusable when unavailable (`aria-disabled`), so that its
 * tooltip and description say why.
 */
function ActionButton(props: {
  className: string;
  icon: typeof checkIcon;
  label: string;
  title: string;
  /** Why it is unavailable; null when it is available. */
  unavailable: string | null;
  onClick: () => void;
}): JSX.Element {
  const { unavailable } = props;
  return (
    <button
      type="button"
      className={`jp-Button jp-mod-minimal jp-mlstudio-VersionAction ${props.className}`}
      aria-disabled={unavailable ? true : undefined}
      title={unavailable ?? props.title}
      aria-label={unavailable ? `${props.label}: ${unavailable}` : props.title}
      onClick={event => {
        event.stopPropagation();
        if (!unavailable) {
          props.onClick();
        }
      }}
    >
      <props.icon.react tag="span" elementSize="normal" />
      {props.label}
    </button>
  );
}

/** The headline numbers of a version's first reports, or their URIs. */
function MetricsCell(props: {
  model: ModelGroupModel;
  sources: IVersionMetricsSource[];
  trans: TranslationBundle;
}): JSX.Element {
  const { model, sources, trans } = props;
  if (sources.length === 0) {
    return <span className="jp-mlstudio-Muted">—</span>;
  }
  return (
    <>
      {sources.slice(0, 2).map(source => {
        const report = model.reports.get(source.S3Uri);
        const key = `${source.group}/${source.name}`;
        if (report?.kind === 'ready' && report.metrics.length) {
          return (
            <span
              key={key}
              className="jp-mlstudio-MetricsCell"
              title={sourceLabel(source)}
            >
              {report.metrics.slice(0, 3).map(metric => (
                <span
                  key={metric.path}
                  className="jp-mlstudio-MetricsCell-metric"
                >
                  <span className="jp-mlstudio-MetricsCell-name">
                    {metric.name}
                  </span>{' '}
                  {formatNumber(metric.value)}
                </span>
              ))}
            </span>
          );
        }
        return (
          <span
            key={key}
            className="jp-mlstudio-MetricsCell"
            title={sourceLabel(source)}
          >
            {report?.kind === 'loading' || report === null ? (
              <span className="jp-mlstudio-Muted">{trans.__('reading…')}</span>
            ) : (
              <ArtifactUri
                uri={source.S3Uri}
                className="jp-mlstudio-MetricsCell-uri"
              />
            )}
          </span>
        );
      })}
    </>
  );
}
