/**
 * The parts of the job view that describe a job: its configuration, inputs, the
 * timeline of its secondary statuses, the cluster nodes its hosts ran on, its metrics
 * (from its run) and its model.
 */
import { Clipboard } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { jobArtifactUrl } from '../api/jobs';
import { runArtifactPath, runArtifactUrl } from '../api/runs';
import { IJob } from '../api/types';
import { ArtifactUri } from '../components/ArtifactUri';
import { NodeLabel } from '../components/NodeLabel';
import { StatusBadge, statusLabel } from '../components/StatusBadge';
import { useSignals } from '../components/useSignals';
import { absoluteTime, duration } from '../format';
import {
  formatSeconds,
  IJobArtifact,
  IJobChannel,
  IJobConfig,
  isTerminal
} from '../models/jobSpec';
import { IClusterNode } from '../models/nodes';
import { RunModel } from '../models/run';
import { KeyValues, MetricChart } from './runView';

export function Configuration(props: {
  job: IJob;
  config: IJobConfig;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, config, trans } = props;
  const resources = config.instanceType
    ? `${config.instanceType} × ${config.instanceCount}`
    : String(config.instanceCount);
  const rows: [string, React.ReactNode][] = [
    [trans.__('Image'), config.image ? <code>{config.image}</code> : ''],
    [
      trans.__('Entry point'),
      config.entryPoint ? <code>{config.entryPoint}</code> : ''
    ],
    [
      trans.__('Source folder'),
      config.sourceDir ? <ArtifactUri uri={config.sourceDir} /> : ''
    ],
    [
      trans.__('Command'),
      config.command ? <code>{config.command.join(' ')}</code> : ''
    ],
    [trans.__('Instances'), resources],
    [
      trans.__('Max runtime'),
      config.maxRuntimeSeconds ? formatSeconds(config.maxRuntimeSeconds) : ''
    ],
    [trans.__('Runtime'), job.Runtime ?? ''],
    [trans.__('Experiment'), job.ExperimentName ?? ''],
    [
      trans.__('Output path'),
      config.outputPath ? <ArtifactUri uri={config.outputPath} /> : ''
    ],
    [trans.__('Created'), absoluteTime(job.CreationTime)],
    [trans.__('Started'), absoluteTime(job.StartTime)],
    [trans.__('Ended'), absoluteTime(job.EndTime)],
    [
      trans.__('Exit code'),
      job.ExitCode === null || job.ExitCode === undefined
        ? ''
        : String(job.ExitCode)
    ],
    [
      trans.__('Tags'),
      Object.entries(job.Tags ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')
    ]
  ];
  return (
    <KeyValues values={rows.filter(([, value]) => value !== '')} empty="" />
  );
}

export function Channels(props: {
  channels: IJobChannel[];
  empty: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { channels, trans } = props;
  if (channels.length === 0) {
    return <p className="jp-mlstudio-Muted">{props.empty}</p>;
  }
  const local = channels.some(channel => channel.localPath);
  return (
    <table className="jp-mlstudio-Table jp-mlstudio-Channels">
      <thead>
        <tr>
          <th>{trans.__('Name')}</th>
          <th>{trans.__('Location')}</th>
          {local ? <th>{trans.__('In the container')}</th> : null}
        </tr>
      </thead>
      <tbody>
        {channels.map(channel => (
          <tr key={channel.name}>
            <th scope="row">{channel.name}</th>
            <td>
              <ArtifactUri uri={channel.uri} />
            </td>
            {local ? (
              <td>
                <code>{channel.localPath ?? ''}</code>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The cluster node each host of the job runs (or ran) on, for a job whose runtime
 * places hosts on nodes (Ray); `nodes` come from `jobHostNodes`.
 */
export function HostNodes(props: {
  hosts: string[];
  nodes: Map<string, IClusterNode>;
  trans: TranslationBundle;
}): JSX.Element {
  const { hosts, nodes, trans } = props;
  // The recorded hosts, then any the spec names that has none recorded yet.
  const names = [...nodes.keys(), ...hosts.filter(host => !nodes.has(host))];
  return (
    <table
      className="jp-mlstudio-Table jp-mlstudio-HostNodes"
      aria-label={trans.__('Hosts and their nodes')}
    >
      <thead>
        <tr>
          <th scope="col">{trans.__('Host')}</th>
          <th scope="col">{trans.__('Node')}</th>
          <th scope="col">{trans.__('Address')}</th>
        </tr>
      </thead>
      <tbody>
        {names.map(host => {
          const node = nodes.get(host);
          return (
            <tr key={host} data-host={host} data-node={node?.NodeId ?? ''}>
              <th scope="row">{host}</th>
              <td>
                {node ? (
                  <NodeLabel
                    node={{ NodeId: node.NodeId, Address: '' }}
                    trans={trans}
                  />
                ) : (
                  <span className="jp-mlstudio-Muted">
                    {trans.__('not placed yet')}
                  </span>
                )}
              </td>
              <td>{node?.Address ? <code>{node.Address}</code> : ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The secondary statuses the job went through, with how long each took. */
export function Timeline(props: {
  job: IJob;
  now: Date;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, trans } = props;
  const transitions = job.SecondaryStatusTransitions ?? [];
  if (transitions.length === 0) {
    return <p className="jp-mlstudio-Muted">{trans.__('No status yet.')}</p>;
  }
  return (
    <ol
      className="jp-mlstudio-Timeline"
      aria-label={trans.__('Status timeline')}
    >
      {transitions.map((step, index) => {
        const open = !step.EndTime;
        const took = duration(step.StartTime, step.EndTime, props.now);
        return (
          <li
            key={`${step.Status}-${index}`}
            className={`jp-mlstudio-Timeline-step${open ? ' jp-mod-current' : ''}`}
            data-status={step.Status}
          >
            <StatusBadge
              status={step.Status}
              label={statusLabel(step.Status)}
            />
            <span
              className="jp-mlstudio-Timeline-time"
              title={absoluteTime(step.StartTime)}
            >
              {absoluteTime(step.StartTime)}
            </span>
            {took ? (
              <span className="jp-mlstudio-Timeline-duration">
                {open && job.Status === 'InProgress'
                  ? trans.__('%1 so far', took)
                  : took}
              </span>
            ) : null}
            {step.StatusMessage ? (
              <span className="jp-mlstudio-Timeline-message">
                {step.StatusMessage}
              </span>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

/** Charts of the metrics the job's run recorded (regex matches and SDK logging). */
export function JobMetrics(props: {
  run: RunModel | null;
  definitions: IJobConfig['metricDefinitions'];
  trans: TranslationBundle;
}): JSX.Element {
  const { run, trans } = props;
  if (!run) {
    return (
      <p className="jp-mlstudio-Muted">
        {trans.__('This job records no run, so it has no metrics.')}
      </p>
    );
  }
  return <RunMetrics run={run} definitions={props.definitions} trans={trans} />;
}

function RunMetrics(props: {
  run: RunModel;
  definitions: IJobConfig['metricDefinitions'];
  trans: TranslationBundle;
}): JSX.Element {
  const { run, trans } = props;
  useSignals(run.stateChanged);
  const state = run.state;
  if (state.kind === 'loading') {
    return (
      <p className="jp-mlstudio-Loading">{trans.__('Loading metrics…')}</p>
    );
  }
  if (state.kind === 'error') {
    return (
      <p className="jp-mlstudio-Muted" role="alert">
        {trans.__('Could not load the run’s metrics: %1', state.message)}
      </p>
    );
  }
  const series = Object.entries(state.series);
  if (series.length === 0) {
    const names = props.definitions.map(definition => definition.name);
    return (
      <p className="jp-mlstudio-Muted">
        {names.length
          ? trans.__(
              'No metrics yet (watching the log for %1).',
              names.join(', ')
            )
          : trans.__('No metrics yet.')}
      </p>
    );
  }
  return (
    <div className="jp-mlstudio-RunCharts jp-mlstudio-JobCharts">
      {series.map(([metric, points]) => (
        <MetricChart key={metric} metric={metric} points={points} />
      ))}
    </div>
  );
}

/**
 * What the job published (model, output data, processing outputs): a download link when
 * the studio serves the file (a training job's model and output data, or a file in the
 * run's artifact folder), and the URI to copy.
 */
export function JobArtifacts(props: {
  job: IJob;
  artifacts: IJobArtifact[];
  trans: TranslationBundle;
}): JSX.Element {
  const { job, artifacts, trans } = props;
  if (artifacts.length === 0) {
    return (
      <p className="jp-mlstudio-Muted">
        {isTerminal(job)
          ? trans.__('The job published no artifacts.')
          : job.Kind === 'TrainingJob'
            ? trans.__('The model is uploaded when training completes.')
            : trans.__('Outputs are uploaded when the job completes.')}
      </p>
    );
  }
  return (
    <ul className="jp-mlstudio-Artifacts">
      {artifacts.map(artifact => (
        <ArtifactRow
          key={artifact.name}
          job={job}
          run={job.TrialComponentName}
          artifact={artifact}
          trans={trans}
        />
      ))}
    </ul>
  );
}

function artifactLabel(name: string, trans: TranslationBundle): string {
  switch (name) {
    case 'model':
      return trans.__('Model');
    case 'output-data':
      return trans.__('Output data');
    default:
      return name;
  }
}

/** The file a training job serves under its own artifacts route, by artifact name. */
const TRAINING_FILES: Record<string, string> = {
  model: 'model.tar.gz',
  'output-data': 'output.tar.gz'
};

function downloadUrl(
  job: IJob,
  run: string | null,
  artifact: IJobArtifact
): string | null {
  const served = TRAINING_FILES[artifact.name];
  if (job.Kind === 'TrainingJob' && served) {
    return jobArtifactUrl(job.Kind, job.JobName, served);
  }
  const path = run
    ? runArtifactPath(run, { Value: artifact.uri, MediaType: null })
    : null;
  return run && path ? runArtifactUrl(run, path) : null;
}

function ArtifactRow(props: {
  job: IJob;
  run: string | null;
  artifact: IJobArtifact;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, run, artifact, trans } = props;
  const [copied, setCopied] = React.useState(false);
  const uri = artifact.uri;
  const href = downloadUrl(job, run, artifact);
  const file = uri.split('/').pop() || artifact.name;
  return (
    <li data-artifact={artifact.name}>
      <div className="jp-mlstudio-Artifact-head">
        <strong>{artifactLabel(artifact.name, trans)}</strong>
        {href ? (
          <a className="jp-mlstudio-Link" href={href} download={file}>
            {trans.__('Download %1', file)}
          </a>
        ) : null}
        <button
          type="button"
          className="jp-mlstudio-Link"
          aria-label={trans.__(
            'Copy the URI of %1',
            artifactLabel(artifact.name, trans)
          )}
          onClick={() => {
            Clipboard.copyToSystem(uri);
            setCopied(true);
          }}
        >
          {copied ? trans.__('Copied') : trans.__('Copy URI')}
        </button>
      </div>
      <ArtifactUri className="jp-mlstudio-Artifact-uri" uri={uri} />
    </li>
  );
}
