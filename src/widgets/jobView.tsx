/**
 * The main-area view of one job: status and Stop in the header, the failure reason,
 * configuration, inputs, a status timeline, the cluster nodes of its hosts (Ray), the
 * live log, metric charts and the model.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { launchIcon, ReactWidget, stopIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { IJob, JobKind } from '../api/types';
import { confirmAction } from '../components/confirmAction';
import {
  ArtifactRootContext,
  withArtifactRoot
} from '../components/ArtifactUri';
import { ILogViewerLabels, LogViewer } from '../components/LogViewer';
import { StatusBadge, statusLabel } from '../components/StatusBadge';
import { useNow } from '../components/useNow';
import { useSignals } from '../components/useSignals';
import { duration } from '../format';
import { studioIcon } from '../icons';
import { ArtifactRoot } from '../models/artifactRoot';
import { canDeploy } from '../models/endpointDeploy';
import { JobModel, JobTab } from '../models/job';
import { rulesWithIssues } from '../models/debuggerSpec';
import { isTerminal, jobArtifacts, jobConfig } from '../models/jobSpec';
import { IClusterNode, jobHostNodes, shortNodeId } from '../models/nodes';
import { showDeployDialog } from './endpointDeploy';
import {
  Channels,
  Configuration,
  HostNodes,
  JobArtifacts,
  JobMetrics,
  Timeline
} from './jobDetails';
import { DebuggerTab } from './debuggerTab';
import { kindLabel, tuningJobOf } from './jobs';
import { MainAreaView } from './mainAreaView';
import { ProfilerTab } from './profilerTab';
import { KeyValues } from './runView';
import { RefreshButton } from '../components/RefreshButton';

export interface IJobViewProps {
  model: JobModel;
  trans: TranslationBundle;
  /** Opens the job's run in its own view. */
  onOpenRun?: (name: string) => void;
  /** Opens an endpoint the job's model was deployed to. */
  onOpenEndpoint?: (name: string) => void;
  /** Opens the tuning job that started this training job. */
  onOpenTuningJob?: (name: string) => void;
  /** Opens another job (a rule's evaluation job, a processing job) in its view. */
  onOpenJob?: (kind: JobKind, name: string) => void;
}

/** Ask, then stop the job; a refusal is shown in a dialog. */
export async function confirmStop(
  model: JobModel,
  trans: TranslationBundle
): Promise<boolean> {
  return confirmAction({
    title: trans.__('Stop job “%1”?', model.name),
    body: trans.__(
      'The job is asked to stop, then ended if it does not within a short grace period. Its model is not uploaded.'
    ),
    cancelLabel: trans.__('Keep running'),
    acceptLabel: trans.__('Stop job'),
    failedTitle: trans.__('Could not stop “%1”', model.name),
    run: () => model.stop()
  });
}

export function JobView(props: IJobViewProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.stateChanged);
  const state = model.state;
  const running = state.kind === 'ready' && !isTerminal(state.job);
  const now = useNow(running);
  if (state.kind === 'loading') {
    return (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Loading job…')}
      </p>
    );
  }
  if (state.kind === 'error') {
    return (
      <div role="alert" className="jp-mlstudio-ErrorState">
        <p className="jp-mlstudio-ErrorState-title">
          {trans.__('Could not load job “%1”.', model.name)}
        </p>
        <p className="jp-mlstudio-ErrorState-message">{state.message}</p>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={() => void model.refresh()}
        >
          {trans.__('Retry')}
        </button>
      </div>
    );
  }
  const job = state.job;
  const openProcessingJob = props.onOpenJob
    ? (name: string) => props.onOpenJob!('ProcessingJob', name)
    : undefined;
  return (
    <div
      className="jp-mlstudio-View jp-mlstudio-JobView"
      data-job={job.JobName}
    >
      <Header {...props} job={job} now={now} />
      {job.Status === 'Failed' && job.FailureReason ? (
        <div className="jp-mlstudio-JobFailure" role="alert">
          <strong>{trans.__('Failure reason')}</strong>
          <pre>{job.FailureReason}</pre>
        </div>
      ) : null}
      {job.Kind === 'TrainingJob' ? <JobTabs {...props} job={job} /> : null}
      {model.tab === 'debugger' && job.Kind === 'TrainingJob' ? (
        <div
          role="tabpanel"
          id={panelId(model, 'debugger')}
          aria-labelledby={tabId(model, 'debugger')}
        >
          <DebuggerTab
            job={job}
            model={model.debugger}
            trans={trans}
            onOpenJob={openProcessingJob}
          />
        </div>
      ) : model.tab === 'profiler' && job.Kind === 'TrainingJob' ? (
        <div
          role="tabpanel"
          id={panelId(model, 'profiler')}
          aria-labelledby={tabId(model, 'profiler')}
        >
          <ProfilerTab
            job={job}
            model={model.profiler}
            trans={trans}
            onOpenJob={openProcessingJob}
          />
        </div>
      ) : (
        <Overview {...props} job={job} now={now} />
      )}
    </div>
  );
}

/** The job's configuration, status, log, metrics and artifacts (its first tab). */
function Overview(
  props: IJobViewProps & { job: IJob; now: Date }
): JSX.Element {
  const { model, trans, job, now } = props;
  const config = jobConfig(job);
  const nodes = jobHostNodes(job);
  const panel = job.Kind === 'TrainingJob';
  return (
    <div
      className="jp-mlstudio-JobOverview"
      role={panel ? 'tabpanel' : undefined}
      id={panel ? panelId(model, 'overview') : undefined}
      aria-labelledby={panel ? tabId(model, 'overview') : undefined}
    >
      <div className="jp-mlstudio-JobColumns">
        <section aria-label={trans.__('Configuration')}>
          <h2>{trans.__('Configuration')}</h2>
          <Configuration job={job} config={config} trans={trans} />
        </section>
        {job.Kind === 'TrainingJob' ? (
          <section aria-label={trans.__('Hyperparameters')}>
            <h2>{trans.__('Hyperparameters')}</h2>
            <KeyValues
              values={config.hyperParameters}
              empty={trans.__('No hyperparameters.')}
            />
          </section>
        ) : null}
        <section aria-label={trans.__('Inputs')}>
          <h2>{trans.__('Inputs')}</h2>
          <Channels
            channels={config.inputs}
            empty={trans.__('No input channels.')}
            trans={trans}
          />
          {config.outputs.length ? (
            <>
              <h2>{trans.__('Outputs')}</h2>
              <Channels channels={config.outputs} empty="" trans={trans} />
            </>
          ) : null}
        </section>
        <section aria-label={trans.__('Status timeline')}>
          <h2>{trans.__('Status timeline')}</h2>
          <Timeline job={job} now={now} trans={trans} />
        </section>
        {nodes.size ? (
          <section aria-label={trans.__('Nodes')}>
            <h2>{trans.__('Nodes')}</h2>
            <HostNodes hosts={model.hosts} nodes={nodes} trans={trans} />
          </section>
        ) : null}
      </div>
      <section aria-label={trans.__('Logs')} className="jp-mlstudio-JobLogs">
        <h2>{trans.__('Logs')}</h2>
        {model.hasLogs ? (
          <LogPanel model={model} trans={trans} />
        ) : (
          <p className="jp-mlstudio-Muted">
            {trans.__('The studio keeps no logs of this kind of job.')}
          </p>
        )}
      </section>
      <section aria-label={trans.__('Metrics')}>
        <h2>{trans.__('Metrics')}</h2>
        <JobMetrics
          run={model.run}
          definitions={config.metricDefinitions}
          trans={trans}
        />
      </section>
      <section aria-label={trans.__('Artifacts')}>
        <h2>{trans.__('Artifacts')}</h2>
        <JobArtifacts job={job} artifacts={jobArtifacts(job)} trans={trans} />
      </section>
    </div>
  );
}

const TABS: JobTab[] = ['overview', 'debugger', 'profiler'];
const tabId = (model: JobModel, tab: JobTab) =>
  `mlstudio-job-${model.name}-tab-${tab}`;
const panelId = (model: JobModel, tab: JobTab) =>
  `mlstudio-job-${model.name}-panel-${tab}`;

/**
 * Overview, Debugger and Profiler: a tab list (arrow keys, Home and End move between
 * tabs); the Debugger tab carries a warning mark while a rule found issues.
 */
function JobTabs(props: IJobViewProps & { job: IJob }): JSX.Element {
  const { model, trans, job } = props;
  const refs = React.useRef(new Map<JobTab, HTMLButtonElement>());
  const issues = rulesWithIssues(job);
  const labels: Record<JobTab, string> = {
    overview: trans.__('Overview'),
    debugger: trans.__('Debugger'),
    profiler: trans.__('Profiler')
  };
  const choose = (tab: JobTab) => {
    model.tab = tab;
    refs.current.get(tab)?.focus();
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    const index = TABS.indexOf(model.tab);
    const next =
      event.key === 'ArrowRight'
        ? TABS[(index + 1) % TABS.length]
        : event.key === 'ArrowLeft'
          ? TABS[(index + TABS.length - 1) % TABS.length]
          : event.key === 'Home'
            ? TABS[0]
            : event.key === 'End'
              ? TABS[TABS.length - 1]
              : null;
    if (next) {
      event.preventDefault();
      choose(next);
    }
  };
  return (
    <div
      className="jp-mlstudio-Tabs jp-mlstudio-JobTabs"
      role="tablist"
      aria-label={trans.__('Job views')}
      onKeyDown={onKeyDown}
    >
      {TABS.map(tab => (
        <button
          key={tab}
          ref={node => {
            if (node) {
              refs.current.set(tab, node);
            }
          }}
          type="button"
          role="tab"
          id={tabId(model, tab)}
          aria-selected={model.tab === tab}
          aria-controls={panelId(model, tab)}
          tabIndex={model.tab === tab ? 0 : -1}
          data-tab={tab}
          className={`jp-mlstudio-Tab ${model.tab === tab ? 'jp-mod-active' : ''}`}
          onClick={() => (model.tab = tab)}
        >
          {labels[tab]}
          {tab === 'debugger' && issues.length ? (
            <span
              className="jp-mlstudio-RuleIssues"
              title={trans.__('Issues found by %1', issues.join(', '))}
            >
              {issues.length}
            </span>
          ) : null}
        </button>
      ))}
    </div>
  );
}

function Header(props: IJobViewProps & { job: IJob; now: Date }): JSX.Element {
  const { model, trans, job } = props;
  const artifactRoot = React.useContext(ArtifactRootContext);
  const run = job.TrialComponentName;
  const tuning = tuningJobOf(job);
  const took = duration(job.StartTime, job.EndTime, props.now);
  return (
    <header className="jp-mlstudio-View-header jp-mlstudio-JobHeader">
      <h1>{job.JobName}</h1>
      <StatusBadge status={job.Status} />
      <span className="jp-mlstudio-JobHeader-detail">
        {kindLabel(job.Kind, trans)}
        {job.SecondaryStatus && job.SecondaryStatus !== job.Status
          ? ` · ${statusLabel(job.SecondaryStatus)}`
          : ''}
        {took ? ` · ${took}` : ''}
      </span>
      <span className="jp-mlstudio-JobHeader-spacer" />
      {tuning && props.onOpenTuningJob ? (
        <button
          type="button"
          className="jp-mlstudio-Link jp-mlstudio-JobHeader-tuning"
          title={trans.__('Open tuning job %1', tuning)}
          onClick={() => props.onOpenTuningJob!(tuning)}
        >
          {trans.__('Open tuning job')}
        </button>
      ) : null}
      {run && props.onOpenRun ? (
        <button
          type="button"
          className="jp-mlstudio-Link jp-mlstudio-JobHeader-run"
          title={trans.__('Open run %1', run)}
          onClick={() => props.onOpenRun!(run)}
        >
          {trans.__('Open run')}
        </button>
      ) : null}
      <RefreshButton
        label={trans.__('Refresh job')}
        onRefresh={() => model.refresh()}
      />
      {canDeploy(job) ? (
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept jp-mlstudio-DeployJob"
          title={trans.__('Deploy the model to an endpoint')}
          onClick={() =>
            void showDeployDialog(
              job,
              trans,
              props.onOpenEndpoint,
              artifactRoot
            )
          }
        >
          <launchIcon.react tag="span" elementSize="normal" />
          {trans.__('Deploy')}
        </button>
      ) : null}
      <button
        type="button"
        className={`jp-Button jp-mod-styled ${model.canStop ? 'jp-mod-warn' : ''} jp-mlstudio-StopJob`}
        disabled={!model.canStop}
        title={
          model.canStop
            ? trans.__('Stop this job')
            : trans.__('The job is not running.')
        }
        onClick={() => void confirmStop(model, trans)}
      >
        <stopIcon.react tag="span" elementSize="normal" />
        {trans.__('Stop')}
      </button>
    </header>
  );
}

function LogPanel(props: {
  model: JobModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const log = model.log;
  useSignals(log.changed);
  const labels = React.useMemo<ILogViewerLabels>(
    () => ({
      log: trans.__('Log of %1', model.name),
      search: trans.__('Search the log'),
      matches: (current, total) => trans.__('%1 of %2', current, total),
      noMatches: trans.__('No matches'),
      follow: trans.__('Follow'),
      following: trans.__('Following'),
      previous: trans.__('Previous match'),
      next: trans.__('Next match'),
      dropped: count => trans.__('%1 earlier lines not shown', count),
      empty: trans.__('Nothing logged yet.')
    }),
    [trans, model.name]
  );
  const hosts = model.hosts;
  const job = model.job;
  const nodes = job ? jobHostNodes(job) : new Map<string, IClusterNode>();
  const hostSelect =
    hosts.length > 1 ? (
      <select
        className="jp-mod-styled jp-mlstudio-LogHost"
        aria-label={trans.__('Host')}
        value={model.host}
        onChange={event => (model.host = event.target.value)}
      >
        {hosts.map(host => {
          const node = nodes.get(host);
          return (
            <option key={host} value={host}>
              {node
                ? trans.__(
                    '%1 (node %2, %3)',
                    host,
                    shortNodeId(node.NodeId),
                    node.Address
                  )
                : host}
            </option>
          );
        })}
      </select>
    ) : null;
  const status = log.error
    ? trans.__('Could not read the log: %1', log.error)
    : log.loading
      ? trans.__('Loading the log…')
      : log.complete
        ? trans.__('End of log.')
        : trans.__('Live');
  return (
    <>
      <LogViewer
        key={log.host}
        lines={log.lines}
        version={log.version}
        dropped={log.dropped}
        labels={labels}
        tools={hostSelect}
      />
      <p
        className={`jp-mlstudio-LogStatus${log.error ? ' jp-mod-error' : ''}`}
        role="status"
        data-complete={log.complete}
      >
        {status}
      </p>
    </>
  );
}

/** The main-area widget of a job; one per job. */
export class JobWidget extends MainAreaView<JobModel> {
  constructor(
    model: JobModel,
    trans: TranslationBundle,
    options: JobWidget.IOptions = {}
  ) {
    super(
      model,
      ReactWidget.create(
        withArtifactRoot(
          options.artifactRoot,
          <JobView
            model={model}
            trans={trans}
            onOpenRun={options.onOpenRun}
            onOpenEndpoint={options.onOpenEndpoint}
            onOpenTuningJob={options.onOpenTuningJob}
            onOpenJob={options.onOpenJob}
          />
        )
      )
    );
    this.id = `mlstudio-job-${model.jobKind}-${model.name}`;
    this.title.label = model.name;
    this.title.caption = trans.__(
      '%1 %2',
      kindLabel(model.jobKind, trans),
      model.name
    );
    this.title.icon = studioIcon;
    this.title.closable = true;
    this.addClass('jp-mlstudio-JobWidget');
  }
}

export namespace JobWidget {
  export interface IOptions {
    /** Opens the job's run in its own view. */
    onOpenRun?: (name: string) => void;
    /** Opens an endpoint the job's model was deployed to. */
    onOpenEndpoint?: (name: string) => void;
    /** Opens the tuning job that started the job. */
    onOpenTuningJob?: (name: string) => void;
    /** Opens another job (a rule's evaluation job) in its view. */
    onOpenJob?: (kind: JobKind, name: string) => void;
    /** The studio's artifact root: URIs under it are printed relative to it. */
    artifactRoot?: ArtifactRoot;
  }
}
