/**
 * The variants of an endpoint: model, instances with their health, restarts and node, the
 * current weight and share of traffic, and weights to edit (checked as typed, with the
 * split they would give) sent to the weights route.
 */
import { showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IEndpointInstance, IEndpointVariant } from '../api/endpoints';
import { NodeLabel } from '../components/NodeLabel';
import { StatusTone } from '../components/StatusBadge';
import { formatNumber } from '../format';
import { EndpointModel, isServing } from '../models/endpoint';
import {
  checkWeights,
  formatShare,
  WeightError
} from '../models/endpointWeights';
import { instanceNode } from '../models/nodes';
import { variantShares } from './endpoints';

const INSTANCE_TONES: Record<string, StatusTone> = {
  Healthy: 'success',
  Pending: 'progress',
  Restarting: 'warning',
  Unhealthy: 'error',
  Stopped: 'neutral'
};

/** An instance's host and health, as a badge; the cluster node it runs on (Ray). */
export function InstanceBadge(props: {
  instance: IEndpointInstance;
  trans: TranslationBundle;
}): JSX.Element {
  const { instance, trans } = props;
  const tone = INSTANCE_TONES[instance.Status] ?? 'neutral';
  const restarts = instance.Restarts ?? 0;
  const node = instanceNode(instance);
  const title = [
    trans.__('%1: %2', instance.Host, instance.Status),
    node ? trans.__('on node %1 (%2)', node.NodeId, node.Address || '?') : '',
    restarts
      ? trans._n('restarted %1 time', 'restarted %1 times', restarts)
      : '',
    instance.Detail ?? ''
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <span
      className={`jp-mlstudio-StatusBadge jp-mlstudio-mod-${tone} jp-mlstudio-InstanceBadge`}
      data-host={instance.Host}
      data-status={instance.Status}
      data-node={node?.NodeId}
      title={title}
    >
      <span className="jp-mlstudio-StatusBadge-dot" aria-hidden="true" />
      {instance.Host} · {instance.Status}
      {node ? (
        <span className="jp-mlstudio-InstanceBadge-node">
          {trans.__('on')} <NodeLabel node={node} trans={trans} />
        </span>
      ) : null}
      {restarts ? (
        <span className="jp-mlstudio-InstanceBadge-restarts">
          {trans._n('%1 restart', '%1 restarts', restarts)}
        </span>
      ) : null}
    </span>
  );
}

function weightErrorText(error: WeightError, trans: TranslationBundle): string {
  switch (error) {
    case 'empty':
      return trans.__('Enter a weight (0 sends it no traffic).');
    case 'negative':
      return trans.__('A weight cannot be negative.');
    default:
      return trans.__('Enter a number, such as 1 or 0.5.');
  }
}

const weightText = (variant: IEndpointVariant) =>
  String(variant.DesiredWeight ?? variant.CurrentWeight ?? 0);

export function VariantsTable(props: {
  model: EndpointModel;
  variants: IEndpointVariant[];
  trans: TranslationBundle;
}): JSX.Element {
  const { model, variants, trans } = props;
  const [drafts, setDrafts] = React.useState<Record<string, string> | null>(
    null
  );
  const [saving, setSaving] = React.useState(false);
  const [saved, setSaved] = React.useState(false);
  if (variants.length === 0) {
    return (
      <p className="jp-mlstudio-Muted">
        {trans.__('The variants appear once the endpoint is created.')}
      </p>
    );
  }
  const current: Record<string, string> = {};
  for (const variant of variants) {
    current[variant.VariantName] = weightText(variant);
  }
  const entries = { ...current, ...(drafts ?? {}) };
  const check = checkWeights(entries);
  const currentShares = variantShares(variants);
  const changed = variants.some(
    v => entries[v.VariantName].trim() !== current[v.VariantName]
  );
  const serving = !!model.endpoint && isServing(model.endpoint);

  const apply = async () => {
    if (!check.weights) {
      return;
    }
    setSaving(true);
    setSaved(false);
    try {
      await model.updateWeights(check.weights);
      setDrafts(null);
      setSaved(true);
    } catch (error) {
      await showErrorMessage(
        trans.__('Could not change the weights'),
        error as Error
      );
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="jp-mlstudio-Variants"
      onSubmit={event => {
        event.preventDefault();
        void apply();
      }}
    >
      <table className="jp-mlstudio-Table jp-mlstudio-VariantsTable">
        <thead>
          <tr>
            <th>{trans.__('Variant')}</th>
            <th>{trans.__('Model')}</th>
            <th>{trans.__('Instances')}</th>
            <th className="jp-mlstudio-Number">{trans.__('Weight')}</th>
            <th className="jp-mlstudio-Number">{trans.__('Traffic')}</th>
            <th>{trans.__('New weight')}</th>
            <th className="jp-mlstudio-Number">{trans.__('New traffic')}</th>
          </tr>
        </thead>
        <tbody>
          {variants.map(variant => {
            const name = variant.VariantName;
            const error = check.errors[name];
            const errorId = `jp-mlstudio-weight-error-${model.name}-${name}`;
            const instances = variant.Instances ?? [];
            return (
              <tr key={name} data-variant={name}>
                <th scope="row">{name}</th>
                <td>
                  <code>{variant.ModelName}</code>
                </td>
                <td>
                  <div className="jp-mlstudio-Instances">
                    {instances.length ? (
                      instances.map(instance => (
                        <InstanceBadge
                          key={instance.Host}
                          instance={instance}
                          trans={trans}
                        />
                      ))
                    ) : (
                      <span className="jp-mlstudio-Muted">
                        {trans.__(
                          '%1 of %2',
                          variant.CurrentInstanceCount ?? 0,
                          variant.DesiredInstanceCount ??
                            variant.CurrentInstanceCount ??
                            0
                        )}
                      </span>
                    )}
                  </div>
                </td>
                <td className="jp-mlstudio-Number jp-mlstudio-CurrentWeight">
                  {formatNumber(variant.CurrentWeight)}
                </td>
                <td className="jp-mlstudio-Number jp-mlstudio-CurrentShare">
                  {formatShare(currentShares[name] ?? 0)}
                </td>
                <td>
                  <input
                    className="jp-mod-styled jp-mlstudio-WeightInput"
                    inputMode="decimal"
                    aria-label={trans.__('New weight of %1', name)}
                    aria-invalid={!!error}
                    aria-describedby={error ? errorId : undefined}
                    value={entries[name]}
                    disabled={saving}
                    onChange={event => {
                      setSaved(false);
                      setDrafts({ ...entries, [name]: event.target.value });
                    }}
                  />
                  {error ? (
                    <div
                      id={errorId}
                      className="jp-mlstudio-FieldError"
                      role="alert"
                    >
                      {weightErrorText(error, trans)}
                    </div>
                  ) : null}
                </td>
                <td className="jp-mlstudio-Number jp-mlstudio-NewShare">
                  {error ? '–' : formatShare(check.shares[name] ?? 0)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="jp-mlstudio-Variants-actions">
        {check.allZero ? (
          <span className="jp-mlstudio-FieldError" role="alert">
            {trans.__('At least one weight must be above 0.')}
          </span>
        ) : null}
        {saved && !changed ? (
          <span className="jp-mlstudio-Muted" role="status">
            {trans.__('Weights applied.')}
          </span>
        ) : null}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject"
          disabled={!changed || saving}
          onClick={() => setDrafts(null)}
        >
          {trans.__('Reset')}
        </button>
        <button
          type="submit"
          className="jp-Button jp-mod-styled jp-mod-accept jp-mlstudio-ApplyWeights"
          disabled={!changed || !check.weights || saving || !serving}
          title={
            serving
              ? trans.__('Send the new weights to the endpoint')
              : trans.__('The endpoint is not in service.')
          }
        >
          {saving ? trans.__('Applying…') : trans.__('Apply weights')}
        </button>
      </div>
    </form>
  );
}
