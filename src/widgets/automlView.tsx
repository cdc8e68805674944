/**
 * The main-area view of one AutoML job: status, secondary status, problem type,
 * objective, target and rows in the header with Deploy best and Stop; the stage
 * timeline; the candidate leaderboard; each candidate's objective in launch order; the
 * analysed table's columns; links that open the job's notebooks in JupyterLab; the
 * job's log. Live while the job runs.
 */
import { showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  launchIcon,
  notebookIcon,
  ReactWidget,
  stopIcon
} from '@jupyterlab/ui-components';
import React from 'react';

import {
  AutoMLNotebook,
  CANDIDATE_DEFINITION_NOTEBOOK,
  DATA_EXPLORATION_NOTEBOOK,
  IAutoMLJob
} from '../api/automl';
import {
  ArtifactRootContext,
  withArtifactRoot
} from '../components/ArtifactUri';
import { confirmAction } from '../components/confirmAction';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { ILogViewerLabels, LogViewer } from '../components/LogViewer';
import { RefreshButton } from '../components/RefreshButton';
import { StatusBadge, statusLabel } from '../components/StatusBadge';
import { useNow } from '../components/useNow';
import { useSignals } from '../components/useSignals';
import { duration, formatNumber } from '../format';
import { studioIcon } from '../icons';
import { ArtifactRoot } from '../models/artifactRoot';
import { canDeployCandidate } from '../models/automlDeploy';
import { AutoMLModel } from '../models/automlModel';
import {
  automlOutputs,
  automlSecondaryStatus,
  IAutoMLSummary,
  stageTimeline
} from '../models/automlSpec';
import { isTerminal } from '../models/jobSpec';
import {
  CandidateChart,
  DataPanel,
  Leaderboard,
  StageTimeline
} from './automlParts';
import { showCandidateDeployDialog } from './automlDeploy';
import { MainAreaView } from './mainAreaView';

export interface IAutoMLViewProps {
  model: AutoMLModel;
  trans: TranslationBundle;
  /** Opens a candidate's training job in the job view. */
  onOpenJob?: (name: string) => void;
  /** Opens the endpoint the best candidate was deployed to. */
  onOpenEndpoint?: (name: string) => void;
  /** Saves one of the job's notebooks into the contents and opens it. */
  onOpenNotebook?: (file: AutoMLNotebook) => Promise<void>;
}

/** Ask, then stop the AutoML job; a refusal is shown in a dialog. */
export async function confirmStopAutoML(
  model: AutoMLModel,
  trans: TranslationBundle
): Promise<boolean> {
  return confirmAction({
    title: trans.__('Stop AutoML job “%1”?', model.name),
    body: trans.__(
      'No more candidates start, and the running ones are stopped. The candidates that completed keep their models; the best of them can still be deployed.'
    ),
    cancelLabel: trans.__('Keep running'),
    acceptLabel: trans.__('Stop AutoML job'),
    failedTitle: trans.__('Could not stop “%1”', model.name),
    run: () => model.stop()
  });
}

export function AutoMLView(props: IAutoMLViewProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.stateChanged);
  const state = model.state;
  const running = state.kind === 'ready' && !isTerminal(state.job);
  const now = useNow(running);
  if (state.kind === 'loading') {
    return (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Loading AutoML job…')}
      </p>
    );
  }
  if (state.kind === 'error') {
    return (
      <ErrorState
        title={trans.__('Could not load AutoML job “%1”.', model.name)}
        message={state.message}
        retryLabel={trans.__('Retry')}
        onRetry={() => void model.refresh()}
      />
    );
  }
  const job = state.job;
  const summary = model.summary!;
  const outputs = automlOutputs(job);
  const metricName = summary.metricName ?? '';
  const counts = outputs.CandidateCounts ?? {};
  return (
    <div
      className="jp-mlstudio-View jp-mlstudio-AutoMLView"
      data-automl-job={job.JobName}
      data-status={job.Status}
    >
      <Header {...props} job={job} summary={summary} now={now} />
      {model.refreshError ? (
        <p className="jp-mlstudio-TuningStale" role="status">
          {trans.__(
            'Could not refresh: %1. Showing what was read last.',
            model.refreshError
          )}
        </p>
      ) : null}
      {job.Status === 'Failed' && job.FailureReason ? (
        <div className="jp-mlstudio-JobFailure" role="alert">
          <strong>{trans.__('Failure reason')}</strong>
          <pre>{job.FailureReason}</pre>
        </div>
      ) : null}
      <section
        aria-label={trans.__('Stages')}
        className="jp-mlstudio-AutoMLStages"
      >
        <h2>{trans.__('Stages')}</h2>
        <StageTimeline steps={stageTimeline(job)} now={now} trans={trans} />
      </section>
      <section
        aria-label={trans.__('Candidates')}
        className="jp-mlstudio-AutoMLCandidates"
      >
        <h2>
          {trans.__('Candidates')}
          <span className="jp-mlstudio-TuningJobs-count">
            {model.candidates.length}
          </span>
          {counts.InProgress ? (
            <span className="jp-mlstudio-AutoMLCandidates-running">
              {trans.__('%1 running', counts.InProgress)}
            </span>
          ) : null}
        </h2>
        {model.candidates.length ? (
          <Leaderboard
            model={model}
            metricName={metricName}
            onOpenJob={props.onOpenJob}
            now={now}
            trans={trans}
          />
        ) : (
          <EmptyState title={trans.__('No candidates yet')}>
            {isTerminal(job)
              ? trans.__('This AutoML job ended before it trained any.')
              : trans.__(
                  'Candidates appear here once the job has analysed the table and starts training them.'
                )}
          </EmptyState>
        )}
      </section>
      <div className="jp-mlstudio-JobColumns">
        <section
          aria-label={trans.__('Objective by candidate')}
          className="jp-mlstudio-TuningChart"
        >
          <h2>{trans.__('Objective by candidate')}</h2>
          <CandidateChart model={model} metricName={metricName} trans={trans} />
        </section>
        <section
          aria-label={trans.__('Data')}
          className="jp-mlstudio-AutoMLData-panel"
        >
          <h2>{trans.__('Data')}</h2>
          <DataPanel analysis={outputs.Analysis} trans={trans} />
          <Notebooks {...props} job={job} />
        </section>
      </div>
      <section
        aria-label={trans.__('AutoML log')}
        className="jp-mlstudio-JobLogs"
      >
        <h2>{trans.__('AutoML log')}</h2>
        <AutoMLLog model={model} trans={trans} />
      </section>
    </div>
  );
}

function Header(
  props: IAutoMLViewProps & {
    job: IAutoMLJob;
    summary: IAutoMLSummary;
    now: Date;
  }
): JSX.Element {
  const { model, trans, job, summary } = props;
  const artifactRoot = React.useContext(ArtifactRootContext);
  const [deploying, setDeploying] = React.useState(false);
  const secondary = automlSecondaryStatus(job);
  const took = duration(job.StartTime, job.EndTime, props.now);
  const best = model.deployable;
  const deployable = canDeployCandidate(best);
  const facts: [string, string, string][] = [
    ['problem-type', trans.__('Problem type'), summary.problemType ?? ''],
    ['objective', trans.__('Objective'), summary.metricName ?? ''],
    ['target', trans.__('Target'), summary.target ?? ''],
    [
      'rows',
      trans.__('Rows'),
      summary.rows === null ? '' : formatNumber(summary.rows)
    ]
  ];
  return (
    <header className="jp-mlstudio-View-header jp-mlstudio-JobHeader">
      <h1>{job.JobName}</h1>
      <StatusBadge status={job.Status} />
      {secondary && secondary !== job.Status ? (
        <span
          className="jp-mlstudio-AutoMLSecondary"
          data-secondary={secondary}
        >
          {statusLabel(secondary)}
        </span>
      ) : null}
      <span className="jp-mlstudio-JobHeader-detail">
        {trans.__('AutoML job')}
        {took ? ` · ${took}` : ''}
      </span>
      <span className="jp-mlstudio-JobHeader-spacer" />
      <RefreshButton
        label={trans.__('Refresh AutoML job')}
        onRefresh={() => model.refresh()}
      />
      <button
        type="button"
        className="jp-Button jp-mod-styled jp-mod-accept jp-mlstudio-DeployJob jp-mlstudio-DeployBest"
        disabled={!deployable || deploying}
        title={
          deployable
            ? trans.__(
                'Deploy the best candidate, %1, as an inference pipeline',
                best!.CandidateName
              )
            : best
              ? trans.__(
                  'The best candidate, %1, has no inference containers to deploy.',
                  best.CandidateName
                )
              : trans.__('The job has no best candidate yet.')
        }
        onClick={async () => {
          setDeploying(true);
          try {
            await showCandidateDeployDialog(
              job.JobName,
              best!,
              trans,
              props.onOpenEndpoint,
              artifactRoot
            );
          } finally {
            setDeploying(false);
          }
        }}
      >
        <launchIcon.react tag="span" elementSize="normal" />
        {trans.__('Deploy best')}
      </button>
      <button
        type="button"
        className={`jp-Button jp-mod-styled ${model.canStop ? 'jp-mod-warn' : ''} jp-mlstudio-StopJob`}
        disabled={!model.canStop}
        title={
          model.canStop
            ? trans.__('Stop this AutoML job and its running candidates')
            : trans.__('The AutoML job is not running.')
        }
        onClick={() => void confirmStopAutoML(model, trans)}
      >
        <stopIcon.react tag="span" elementSize="normal" />
        {trans.__('Stop')}
      </button>
      <dl className="jp-mlstudio-AutoMLFacts">
        {facts.map(([key, label, value]) => (
          <div key={key} data-fact={key}>
            <dt>{label}</dt>
            <dd>{value || <span className="jp-mlstudio-Muted">—</span>}</dd>
          </div>
        ))}
      </dl>
    </header>
  );
}

/** The links that open the job's two notebooks (once the job has written them). */
function Notebooks(
  props: IAutoMLViewProps & { job: IAutoMLJob }
): JSX.Element | null {
  const { trans, job, onOpenNotebook } = props;
  const [opening, setOpening] = React.useState<AutoMLNotebook | null>(null);
  if (!onOpenNotebook) {
    return null;
  }
  const artifacts = automlOutputs(job).AutoMLJobArtifacts ?? {};
  const links: [AutoMLNotebook, string, boolean][] = [
    [
      DATA_EXPLORATION_NOTEBOOK,
      trans.__('Open data exploration notebook'),
      !!artifacts.DataExplorationNotebookLocation
    ],
    [
      CANDIDATE_DEFINITION_NOTEBOOK,
      trans.__('Open candidate definitions notebook'),
      !!artifacts.CandidateDefinitionNotebookLocation
    ]
  ];
  const open = async (file: AutoMLNotebook) => {
    setOpening(file);
    try {
      await onOpenNotebook(file);
    } catch (error) {
      await showErrorMessage(
        trans.__('Could not open %1', file),
        error as Error
      );
    } finally {
      setOpening(null);
    }
  };
  return (
    <div className="jp-mlstudio-AutoMLNotebooks">
      {links.map(([file, label, ready]) => (
        <button
          key={file}
          type="button"
          className="jp-Button jp-mod-styled jp-mlstudio-AutoMLNotebook"
          data-notebook={file}
          disabled={!ready || opening !== null}
          title={
            ready
              ? trans.__(
                  'Save %1 under automl/%2 and open it',
                  file,
                  job.JobName
                )
              : trans.__('The job has not written this notebook yet.')
          }
          onClick={() => void open(file)}
        >
          <notebookIcon.react tag="span" elementSize="normal" />
          {label}
        </button>
      ))}
    </div>
  );
}

function AutoMLLog(props: {
  model: AutoMLModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const log = model.log;
  useSignals(log.changed);
  const labels = React.useMemo<ILogViewerLabels>(
    () => ({
      log: trans.__('Log of AutoML job %1', model.name),
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
        lines={log.lines}
        version={log.version}
        dropped={log.dropped}
        labels={labels}
        maxHeight={240}
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

/** The main-area widget of an AutoML job; one per job. */
export class AutoMLWidget extends MainAreaView<AutoMLModel> {
  constructor(
    model: AutoMLModel,
    trans: TranslationBundle,
    options: AutoMLWidget.IOptions = {}
  ) {
    super(
      model,
      ReactWidget.create(
        withArtifactRoot(
          options.artifactRoot,
          <AutoMLView
            model={model}
            trans={trans}
            onOpenJob={options.onOpenJob}
            onOpenEndpoint={options.onOpenEndpoint}
            onOpenNotebook={options.onOpenNotebook}
          />
        )
      )
    );
    this.id = `mlstudio-automl-job-${model.name}`;
    this.title.label = model.name;
    this.title.caption = trans.__('AutoML job %1', model.name);
    this.title.icon = studioIcon;
    this.title.closable = true;
    this.addClass('jp-mlstudio-AutoMLWidget');
  }
}

export namespace AutoMLWidget {
  export interface IOptions {
    /** Opens a candidate's training job. */
    onOpenJob?: (name: string) => void;
    /** Opens the endpoint the best candidate was deployed to. */
    onOpenEndpoint?: (name: string) => void;
    /** Saves one of the job's notebooks into the contents and opens it. */
    onOpenNotebook?: (file: AutoMLNotebook) => Promise<void>;
    /** The studio's artifact root: URIs under it are printed relative to it. */
    artifactRoot?: ArtifactRoot;
  }
}
