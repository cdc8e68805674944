/**
 * The parts of the tuning view that describe a tuning job: its progress and counters,
 * the search's settings and the ranges of its hyperparameters.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { ITuningJob } from '../api/tuning';
import { absoluteTime, formatNumber } from '../format';
import { formatSeconds } from '../models/jobSpec';
import {
  ITuningConfig,
  ITuningOutputs,
  objectiveValue,
  tuningProgress
} from '../models/tuningSpec';
import { KeyValues } from './runView';
import { ProgressBar } from './tuningJobs';

/** A labelled number; `tone` colours its edge (the words say it too). */
function Counter(props: {
  label: string;
  value: React.ReactNode;
  name: string;
  tone?: 'progress' | 'success' | 'error' | 'warning' | 'neutral';
  title?: string;
}): JSX.Element {
  return (
    <div
      className={`jp-mlstudio-Counter jp-mlstudio-mod-${props.tone ?? 'neutral'}`}
      data-counter={props.name}
      title={props.title}
    >
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

export function Progress(props: {
  job: ITuningJob;
  outputs: ITuningOutputs;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, outputs, trans } = props;
  const progress = tuningProgress(job, outputs);
  const failed = outputs.retryableError + outputs.nonRetryableError;
  const bestValue = outputs.best ? objectiveValue(outputs.best) : null;
  return (
    <section
      className="jp-mlstudio-TuningSummary"
      aria-label={trans.__('Progress')}
    >
      <div className="jp-mlstudio-TuningSummary-progress">
        <span className="jp-mlstudio-TuningSummary-count">
          {progress.max === null
            ? trans.__('%1 training jobs started', progress.started)
            : trans.__(
                '%1 of %2 training jobs started',
                progress.started,
                progress.max
              )}
        </span>
        <ProgressBar progress={progress} trans={trans} />
      </div>
      <dl className="jp-mlstudio-Counters">
        <Counter
          name="running"
          label={trans.__('Running')}
          value={outputs.inProgress}
          tone="progress"
        />
        <Counter
          name="completed"
          label={trans.__('Completed')}
          value={outputs.completed}
          tone="success"
        />
        <Counter
          name="failed"
          label={trans.__('Failed')}
          value={failed}
          tone={failed ? 'error' : 'neutral'}
          title={trans.__(
            '%1 retryable, %2 not retryable',
            outputs.retryableError,
            outputs.nonRetryableError
          )}
        />
        <Counter
          name="stopped"
          label={trans.__('Stopped')}
          value={outputs.stopped}
        />
        <Counter
          name="stopped-early"
          label={trans.__('Stopped early')}
          value={outputs.stoppedEarly}
          tone={outputs.stoppedEarly ? 'warning' : 'neutral'}
        />
        <Counter
          name="objectives"
          label={trans.__('Objectives')}
          value={trans.__(
            '%1 ok · %2 pending · %3 failed',
            outputs.objectivesSucceeded,
            outputs.objectivesPending,
            outputs.objectivesFailed
          )}
        />
        <Counter
          name="best"
          label={
            progress.type === 'Minimize'
              ? trans.__('Best (lowest) %1', progress.metricName)
              : trans.__('Best (highest) %1', progress.metricName)
          }
          value={bestValue === null ? '—' : formatNumber(bestValue)}
          tone={bestValue === null ? 'neutral' : 'success'}
          title={outputs.best?.TrainingJobName}
        />
      </dl>
      {outputs.completionReason ? (
        <p className="jp-mlstudio-TuningSummary-reason">
          <strong>{trans.__('Completion reason')}</strong>{' '}
          {outputs.completionReason}
        </p>
      ) : null}
    </section>
  );
}

export function SearchConfig(props: {
  job: ITuningJob;
  config: ITuningConfig;
  outputs: ITuningOutputs;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, config, outputs, trans } = props;
  const criteria = [
    config.targetObjective !== undefined
      ? trans.__('stop at %1', formatNumber(config.targetObjective))
      : '',
    config.maxNotImproving !== undefined
      ? trans.__(
          'stop after %1 jobs without improvement',
          config.maxNotImproving
        )
      : '',
    config.completeOnConvergence ? trans.__('stop on convergence') : ''
  ].filter(Boolean);
  const rows: [string, React.ReactNode][] = [
    [trans.__('Strategy'), config.strategy],
    [
      trans.__('Objective'),
      config.objective.type === 'Minimize'
        ? trans.__('minimize %1', config.objective.metricName)
        : trans.__('maximize %1', config.objective.metricName)
    ],
    [trans.__('Early stopping'), config.earlyStopping],
    [
      trans.__('Training jobs'),
      config.maxJobs === null
        ? ''
        : trans.__(
            'at most %1, %2 at a time',
            config.maxJobs,
            config.maxParallel ?? 1
          )
    ],
    [
      trans.__('Max runtime'),
      config.maxRuntimeSeconds ? formatSeconds(config.maxRuntimeSeconds) : ''
    ],
    [
      trans.__('Hyperband'),
      config.hyperband
        ? trans.__(
            'resource %1 to %2',
            config.hyperband.minResource ?? '?',
            config.hyperband.maxResource ?? '?'
          )
        : ''
    ],
    [trans.__('Completion criteria'), criteria.join(', ')],
    [
      trans.__('Jobs not improving'),
      outputs.notImproving !== undefined ? String(outputs.notImproving) : ''
    ],
    [
      trans.__('Warm start'),
      config.warmStartParents.length
        ? `${config.warmStartType ?? ''}: ${config.warmStartParents.join(', ')}`
        : ''
    ],
    [trans.__('Runtime'), job.Runtime ?? ''],
    [trans.__('Started'), absoluteTime(job.StartTime)],
    [trans.__('Ended'), absoluteTime(job.EndTime)]
  ];
  return (
    <KeyValues values={rows.filter(([, value]) => value !== '')} empty="" />
  );
}

export function Ranges(props: {
  config: ITuningConfig;
  trans: TranslationBundle;
}): JSX.Element {
  const { config, trans } = props;
  if (!config.ranges.length) {
    return <p className="jp-mlstudio-Muted">{trans.__('No tuned ranges.')}</p>;
  }
  return (
    <table className="jp-mlstudio-Table jp-mlstudio-TuningRanges">
      <thead>
        <tr>
          <th scope="col">{trans.__('Name')}</th>
          <th scope="col">{trans.__('Type')}</th>
          <th scope="col">{trans.__('Range')}</th>
          <th scope="col">{trans.__('Scaling')}</th>
        </tr>
      </thead>
      <tbody>
        {config.ranges.map(range => (
          <tr key={range.name} data-range={range.name}>
            <th scope="row">{range.name}</th>
            <td>{range.kind}</td>
            <td>
              {range.kind === 'Categorical'
                ? (range.values ?? []).join(', ')
                : `${formatNumber(range.min)} – ${formatNumber(range.max)}`}
            </td>
            <td>{range.kind === 'Categorical' ? '' : range.scaling}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
