/**
 * The Endpoints section: live endpoints with their status, variants, traffic split and
 * recent invocations; a row opens the endpoint's view, its button deletes it.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { deleteIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { IEndpointVariant } from '../api/endpoints';
import { confirmAction } from '../components/confirmAction';
import { StatusBadge, statusLabel } from '../components/StatusBadge';
import { absoluteTime, formatNumber, relativeTime } from '../format';
import { EndpointsModel, IEndpointRow } from '../models/endpoints';
import { violationTotal } from '../models/monitoringSpec';
import { formatShare, trafficShares } from '../models/endpointWeights';
import { SectionView, SectionWidget } from './section';

/** What the sidebar does when an endpoint is opened. */
export interface IEndpointActions {
  openEndpoint(name: string): void;
}

/** Ask, then delete an endpoint; a refusal is shown in a dialog. */
export async function confirmDeleteEndpoint(
  name: string,
  remove: (name: string) => Promise<void>,
  trans: TranslationBundle
): Promise<boolean> {
  return confirmAction({
    title: trans.__('Delete endpoint “%1”?', name),
    body: trans.__(
      'Its instances are stopped and it stops answering requests. Its models, configuration and captured data are kept.'
    ),
    cancelLabel: trans.__('Cancel'),
    acceptLabel: trans.__('Delete endpoint'),
    failedTitle: trans.__('Could not delete “%1”', name),
    run: () => remove(name)
  });
}

/** Each variant's current share of the traffic, in percent. */
export function variantShares(
  variants: readonly IEndpointVariant[]
): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const variant of variants) {
    weights[variant.VariantName] = variant.CurrentWeight ?? 0;
  }
  return trafficShares(weights);
}

/** A thin bar split by the variants' shares, with the split in words. */
export function TrafficSplit(props: {
  variants: readonly IEndpointVariant[];
  trans: TranslationBundle;
}): JSX.Element | null {
  const { variants, trans } = props;
  if (variants.length === 0) {
    return null;
  }
  const shares = variantShares(variants);
  const words = variants
    .map(v => `${v.VariantName} ${formatShare(shares[v.VariantName])}`)
    .join(' · ');
  return (
    <div
      className="jp-mlstudio-TrafficSplit"
      title={trans.__('Traffic: %1', words)}
    >
      <div className="jp-mlstudio-TrafficSplit-bar" aria-hidden="true">
        {variants.map((variant, index) => (
          <span
            key={variant.VariantName}
            className={`jp-mlstudio-TrafficSplit-part jp-mlstudio-mod-variant${index % 4}`}
            style={{ width: `${shares[variant.VariantName]}%` }}
          />
        ))}
      </div>
      <span className="jp-mlstudio-TrafficSplit-text">{words}</span>
    </div>
  );
}

export interface IEndpointsSectionProps {
  model: EndpointsModel;
  trans: TranslationBundle;
  onOpen?: (name: string) => void;
}

/** Endpoints serving models, live. */
export function EndpointsSection(props: IEndpointsSectionProps): JSX.Element {
  const { model, trans, onOpen } = props;
  return (
    <SectionView<IEndpointRow>
      model={model}
      trans={trans}
      texts={{
        noun: trans.__('endpoints'),
        emptyTitle: trans.__('No endpoints yet'),
        emptyBody: trans.__(
          'Deploy a trained model to serve predictions on this machine: call estimator.deploy() in a notebook, or open a completed training job and choose Deploy.'
        )
      }}
      summary={rows => {
        const serving = rows.filter(
          row => row.endpoint.EndpointStatus === 'InService'
        ).length;
        return trans.__(
          '%1 · %2 in service',
          trans._n('%1 endpoint', '%1 endpoints', rows.length),
          serving
        );
      }}
      onOpenItem={onOpen && (row => onOpen(row.endpoint.EndpointName))}
      itemKey={row => row.endpoint.EndpointName}
      itemLabel={row =>
        row.violations?.length
          ? trans.__(
              '%1, %2, monitoring found violations',
              row.endpoint.EndpointName,
              statusLabel(row.endpoint.EndpointStatus)
            )
          : trans.__(
              '%1, %2',
              row.endpoint.EndpointName,
              statusLabel(row.endpoint.EndpointStatus)
            )
      }
      renderItem={row => (
        <EndpointRow
          row={row}
          trans={trans}
          onDelete={name =>
            void confirmDeleteEndpoint(name, n => model.delete(n), trans)
          }
        />
      )}
    />
  );
}

function EndpointRow(props: {
  row: IEndpointRow;
  trans: TranslationBundle;
  onDelete: (name: string) => void;
}): JSX.Element {
  const { row, trans } = props;
  const { endpoint, variants, invocations } = row;
  const name = endpoint.EndpointName;
  return (
    <div data-endpoint={name} data-status={endpoint.EndpointStatus}>
      <div className="jp-mlstudio-Row-main">
        <span
          className="jp-mlstudio-Row-name"
          title={trans.__(
            '%1 (configuration %2), created %3',
            name,
            endpoint.EndpointConfigName,
            absoluteTime(endpoint.CreationTime)
          )}
        >
          {name}
        </span>
        <StatusBadge status={endpoint.EndpointStatus} />
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mlstudio-IconButton jp-mlstudio-EndpointDelete"
          aria-label={trans.__('Delete endpoint %1', name)}
          title={trans.__('Delete endpoint')}
          disabled={endpoint.EndpointStatus === 'Deleting'}
          onClick={event => {
            event.stopPropagation();
            props.onDelete(name);
          }}
        >
          <deleteIcon.react tag="span" elementSize="normal" />
        </button>
      </div>
      <div className="jp-mlstudio-Row-detail">
        <ViolationsBadge row={row} trans={trans} />
        {variants && variants.length ? (
          <span className="jp-mlstudio-Row-variants">
            {trans._n('%1 variant', '%1 variants', variants.length)}
          </span>
        ) : null}
        {invocations !== null ? (
          <span
            className="jp-mlstudio-Row-invocations"
            title={trans.__('Requests answered in the last 15 minutes')}
          >
            {trans._n(
              '%2 request',
              '%2 requests',
              invocations,
              formatNumber(invocations)
            )}
          </span>
        ) : null}
        {!variants?.length && invocations === null ? (
          <time
            dateTime={endpoint.CreationTime}
            title={absoluteTime(endpoint.CreationTime)}
          >
            {trans.__('created %1', relativeTime(endpoint.CreationTime))}
          </time>
        ) : null}
      </div>
      {variants && variants.length ? (
        <TrafficSplit variants={variants} trans={trans} />
      ) : null}
      {endpoint.FailureReason ? (
        <div className="jp-mlstudio-Row-failure" title={endpoint.FailureReason}>
          {endpoint.FailureReason}
        </div>
      ) : null}
    </div>
  );
}

/**
 * A mark on an endpoint whose latest monitoring execution found violations; its
 * tooltip names the schedules, how many violations and when.
 */
function ViolationsBadge(props: {
  row: IEndpointRow;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { row, trans } = props;
  const schedules = row.violations ?? [];
  if (!schedules.length) {
    return null;
  }
  const total = violationTotal(schedules);
  const title = schedules
    .map(schedule => {
      const latest = schedule.LastMonitoringExecutionSummary;
      const count = latest?.ViolationCount;
      return typeof count === 'number'
        ? trans.__(
            'Monitoring schedule %1: its latest execution (%2) found %3 violation(s).',
            schedule.MonitoringScheduleName,
            relativeTime(latest?.ScheduledTime),
            count
          )
        : trans.__(
            'Monitoring schedule %1: its latest execution (%2) found violations.',
            schedule.MonitoringScheduleName,
            relativeTime(latest?.ScheduledTime)
          );
    })
    .join('\n');
  return (
    <span
      className="jp-mlstudio-ViolationsBadge jp-mlstudio-Row-issues"
      title={title}
      data-violations={total ?? ''}
    >
      {total === null
        ? trans.__('violations')
        : trans._n('%1 violation', '%1 violations', total)}
    </span>
  );
}

export function createEndpointsWidget(
  model: EndpointsModel,
  trans: TranslationBundle,
  actions?: IEndpointActions
): SectionWidget {
  const onOpen = actions
    ? (name: string) => actions.openEndpoint(name)
    : undefined;
  return new SectionWidget(
    () => <EndpointsSection model={model} trans={trans} onOpen={onOpen} />,
    { id: 'mlstudio-endpoints', label: trans.__('Endpoints') }
  );
}
