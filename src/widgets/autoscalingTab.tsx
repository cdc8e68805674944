/**
 * The Autoscaling tab of an endpoint's view: for each variant, its instance count now
 * and wanted between its scalable target's bounds, the instances themselves (with the
 * node each runs on), the target its policy keeps, and the scaling activities that
 * added or removed instances, newest first.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import {
  IScalingActivity,
  IScalingPolicy,
  ITargetTrackingConfiguration
} from '../api/autoscaling';
import { IEndpoint, IEndpointVariant } from '../api/endpoints';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { RefreshButton } from '../components/RefreshButton';
import { StatusBadge } from '../components/StatusBadge';
import { useSignals } from '../components/useSignals';
import { absoluteTime, formatNumber, relativeTime } from '../format';
import {
  AutoscalingModel,
  hasAutoscaling,
  IVariantScaling,
  scalingByVariant,
  scalingLive
} from '../models/autoscaling';
import { InstanceBadge } from './endpointVariants';

export interface IAutoscalingTabProps {
  model: AutoscalingModel;
  /** The endpoint as last described (its variants' instance counts and instances). */
  endpoint: IEndpoint;
  trans: TranslationBundle;
}

export function AutoscalingTab(props: IAutoscalingTabProps): JSX.Element {
  const { model, endpoint, trans } = props;
  useSignals(model.changed);
  if (!model.loaded) {
    return model.error ? (
      <ErrorState
        title={trans.__('Could not read the endpoint’s autoscaling.')}
        message={model.error}
        retryLabel={trans.__('Retry')}
        onRetry={() => void model.refresh()}
      />
    ) : (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Loading autoscaling…')}
      </p>
    );
  }
  const answer = model.autoscaling;
  if (!hasAutoscaling(answer)) {
    return (
      <div className="jp-mlstudio-AutoscalingTab">
        <div className="jp-mlstudio-MonitoringHeader">
          <span className="jp-mlstudio-JobHeader-spacer" />
          <RefreshButton
            label={trans.__('Refresh autoscaling')}
            onRefresh={() => model.refresh()}
          />
        </div>
        <EmptyState title={trans.__('No scaling policy')}>
          {trans.__(
            'Register a scalable target for a variant from a notebook with the autoscaling client, which takes boto3’s application-autoscaling calls (from jupyter_mlstudio.sdk import autoscaling_client; client = autoscaling_client()): client.register_scalable_target(ServiceNamespace="sagemaker", ResourceId="endpoint/%1/variant/<variant>", ScalableDimension="sagemaker:variant:DesiredInstanceCount", MinCapacity=1, MaxCapacity=4), then client.put_scaling_policy(…, PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration={"TargetValue": 600, "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}}). The variant then gains instances under load and loses them after.',
            endpoint.EndpointName
          )}
        </EmptyState>
      </div>
    );
  }
  const variants = endpoint.ProductionVariants ?? [];
  const scalings = scalingByVariant(
    answer,
    endpoint.EndpointName,
    variants.map(variant => variant.VariantName)
  );
  const live = scalingLive(answer.ScalingActivities);
  return (
    <div className="jp-mlstudio-AutoscalingTab" data-live={live}>
      <div className="jp-mlstudio-MonitoringHeader">
        <span className="jp-mlstudio-Muted" role="status">
          {live
            ? trans.__(
                'A scaling activity is running; refreshing every few seconds.'
              )
            : trans._n(
                '%1 scalable variant',
                '%1 scalable variants',
                answer.ScalableTargets.length
              )}
        </span>
        <span className="jp-mlstudio-JobHeader-spacer" />
        <RefreshButton
          label={trans.__('Refresh autoscaling')}
          onRefresh={() => model.refresh()}
        />
      </div>
      {model.error ? (
        <p role="alert" className="jp-mlstudio-MonitoringError">
          {trans.__('Could not refresh: %1', model.error)}
        </p>
      ) : null}
      {scalings.map(scaling => (
        <VariantScaling
          key={scaling.variant}
          endpointName={endpoint.EndpointName}
          scaling={scaling}
          variant={variants.find(v => v.VariantName === scaling.variant)}
          trans={trans}
        />
      ))}
    </div>
  );
}

/** One variant: its counts and bounds, its instances, its policies, its activities. */
function VariantScaling(props: {
  endpointName: string;
  scaling: IVariantScaling;
  variant?: IEndpointVariant;
  trans: TranslationBundle;
}): JSX.Element {
  const { scaling, variant, trans } = props;
  const target = scaling.target;
  const instances = variant?.Instances ?? [];
  const headingId = `jp-mlstudio-autoscaling-${props.endpointName}-${scaling.variant}`;
  return (
    <section
      className="jp-mlstudio-VariantScaling"
      data-variant={scaling.variant}
      aria-labelledby={headingId}
    >
      <h2 id={headingId}>{scaling.variant}</h2>
      <dl className="jp-mlstudio-VariantScaling-figures">
        <div>
          <dt>{trans.__('Instances now')}</dt>
          <dd className="jp-mlstudio-VariantScaling-current">
            {variant ? String(variant.CurrentInstanceCount) : '—'}
          </dd>
        </div>
        <div>
          <dt>{trans.__('Wanted')}</dt>
          <dd className="jp-mlstudio-VariantScaling-desired">
            {variant ? String(variant.DesiredInstanceCount) : '—'}
          </dd>
        </div>
        <div>
          <dt>{trans.__('Minimum')}</dt>
          <dd className="jp-mlstudio-VariantScaling-min">
            {target ? String(target.MinCapacity) : '—'}
          </dd>
        </div>
        <div>
          <dt>{trans.__('Maximum')}</dt>
          <dd className="jp-mlstudio-VariantScaling-max">
            {target ? String(target.MaxCapacity) : '—'}
          </dd>
        </div>
      </dl>
      {target ? null : (
        <p className="jp-mlstudio-Muted">
          {trans.__(
            'Autoscaling does not manage this variant: it has no scalable target.'
          )}
        </p>
      )}
      {instances.length ? (
        <div
          className="jp-mlstudio-Instances"
          aria-label={trans.__('Instances of %1', scaling.variant)}
          role="group"
        >
          {instances.map(instance => (
            <InstanceBadge
              key={instance.Host}
              instance={instance}
              trans={trans}
            />
          ))}
        </div>
      ) : null}
      {scaling.policies.map(policy => (
        <p key={policy.PolicyName} className="jp-mlstudio-ScalingPolicy">
          <strong>{policy.PolicyName}</strong> {policyText(policy, trans)}
        </p>
      ))}
      {target && !scaling.policies.length ? (
        <p className="jp-mlstudio-Muted jp-mlstudio-ScalingPolicy">
          {trans.__(
            'No scaling policy on this variant yet: put_scaling_policy adds one.'
          )}
        </p>
      ) : null}
      <h3>{trans.__('Scaling activities')}</h3>
      <Activities activities={scaling.activities} trans={trans} />
    </section>
  );
}

/** The metric a target-tracking policy follows. */
function metricName(config: ITargetTrackingConfiguration): string {
  return config.PredefinedMetricSpecification?.PredefinedMetricType ?? '?';
}

/** “keeps SageMakerVariantInvocationsPerInstance near 100 (…)”. */
export function policyText(
  policy: IScalingPolicy,
  trans: TranslationBundle
): string {
  const config = policy.TargetTrackingScalingPolicyConfiguration;
  if (!config) {
    return trans.__('(%1)', policy.PolicyType);
  }
  const details = [
    config.ScaleOutCooldown !== undefined
      ? trans.__('scale-out cooldown %1 s', config.ScaleOutCooldown)
      : '',
    config.ScaleInCooldown !== undefined
      ? trans.__('scale-in cooldown %1 s', config.ScaleInCooldown)
      : '',
    config.DisableScaleIn ? trans.__('never scales in') : ''
  ].filter(Boolean);
  const text = trans.__(
    'keeps %1 near %2',
    metricName(config),
    formatNumber(config.TargetValue)
  );
  return details.length ? `${text} (${details.join(', ')})` : text;
}

function Activities(props: {
  activities: IScalingActivity[];
  trans: TranslationBundle;
}): JSX.Element {
  const { activities, trans } = props;
  if (!activities.length) {
    return (
      <p className="jp-mlstudio-Muted">
        {trans.__('No scaling activity yet.')}
      </p>
    );
  }
  return (
    <ol className="jp-mlstudio-ScalingActivities">
      {activities.map(activity => (
        <li
          key={activity.ActivityId}
          data-activity={activity.ActivityId}
          data-status={activity.StatusCode}
        >
          <time
            dateTime={activity.StartTime}
            title={absoluteTime(activity.StartTime)}
            className="jp-mlstudio-ScalingActivity-time"
          >
            {relativeTime(activity.StartTime)}
          </time>
          <StatusBadge status={activity.StatusCode} />
          <span className="jp-mlstudio-ScalingActivity-description">
            {activity.Description}
          </span>
          {activity.Details ? (
            <span className="jp-mlstudio-ScalingActivity-details">
              {activity.Details}
            </span>
          ) : null}
          {activity.Cause ? (
            <span className="jp-mlstudio-ScalingActivity-cause">
              {activity.Cause}
            </span>
          ) : null}
          {activity.StatusMessage ? (
            <span className="jp-mlstudio-ScalingActivity-message">
              {activity.StatusMessage}
            </span>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
