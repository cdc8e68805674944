/**
 * The main-area view of one hyperparameter tuning job: status, Stop and Deploy best in
 * the header; progress and counters; the search's configuration; the objective of each
 * training job with the best so far; the hyperparameters as parallel coordinates; the
 * training jobs table; the tuner's log. Live while the tuning job runs.
 */
import { showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { launchIcon, ReactWidget, stopIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { ITuningJob } from '../api/tuning';
import { confirmAction } from '../components/confirmAction';
import {
  ArtifactRootContext,
  withArtifactRoot
} from '../components/ArtifactUri';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { ILogViewerLabels, LogViewer } from '../components/LogViewer';
import { StatusBadge, statusLabel } from '../components/StatusBadge';
import { useNow } from '../components/useNow';
import { useSignals } from '../components/useSignals';
import { duration } from '../format';
import { studioIcon } from '../icons';
import { ArtifactRoot } from '../models/artifactRoot';
import { canDeploy } from '../models/endpointDeploy';
import { isTerminal } from '../models/jobSpec';
import { TuningModel } from '../models/tuningModel';
import { ITuningConfig, ITuningOutputs } from '../models/tuningSpec';
import { showDeployDialog } from './endpointDeploy';
import { MainAreaView } from './mainAreaView';
import { KeyValues } from './runView';
import { TuningCharts } from './tuningCharts';
import { Progress, Ranges, SearchConfig } from './tuningDetails';
import { TuningTable } from './tuningTable';
import { RefreshButton } from '../components/RefreshButton';

export interface ITuningViewProps {
  model: TuningModel;
  trans: TranslationBundle;
  /** Opens one of its training jobs in the job view. */
  onOpenJob?: (name: string) => void;
  /** Opens the endpoint the best model was deployed to. */
  onOpenEndpoint?: (name: string) => void;
}

/** Ask, then stop the tuning job; a refusal is shown in a dialog. */
export async function confirmStopTuning(
  model: TuningModel,
  trans: TranslationBundle
): Promise<boolean> {
  return confirmAction({
    title: trans.__('Stop tuning job “%1”?', model.name),
    body: trans.__(
      'No more training jobs start, and the running ones are stopped. The jobs that completed keep their models; the best of them can still be deployed.'
    ),
    cancelLabel: trans.__('Keep tuning'),
    acceptLabel: trans.__('Stop tuning job'),
    failedTitle: trans.__('Could not stop “%1”', model.name),
    run: () => model.stop()
  });
}

/**
 * Describe the best training job and open the Deploy dialog for it; says why when it
 * has no model to deploy.
 */
export async function deployBest(
  model: TuningModel,
  trans: TranslationBundle,
  onOpenEndpoint?: (name: string) => void,
  artifactRoot: ArtifactRoot | null = null
): Promise<string | null> {
  let job;
  try {
    job = await model.bestTrainingJob();
  } catch (error) {
    await showErrorMessage(
      trans.__('Could not read the best training job'),
      error as Error
    );
    return null;
  }
  if (!job) {
    return null;
  }
  if (!canDeploy(job)) {
    await showErrorMessage(
      trans.__('Nothing to deploy'),
      trans.__(
        'The best training job “%1” has not uploaded a model (its status is %2).',
        job.JobName,
        job.Status
      )
    );
    return null;
  }
  return showDeployDialog(job, trans, onOpenEndpoint, artifactRoot);
}

export function TuningView(props: ITuningViewProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.stateChanged);
  const state = model.state;
  const running = state.kind === 'ready' && !isTerminal(state.job);
  const now = useNow(running);
  if (state.kind === 'loading') {
    return (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Loading tuning job…')}
      </p>
    );
  }
  if (state.kind === 'error') {
    return (
      <ErrorState
        title={trans.__('Could not load tuning job “%1”.', model.name)}
        message={state.message}
        retryLabel={trans.__('Retry')}
        onRetry={() => void model.refresh()}
      />
    );
  }
  const job = state.job;
  const config = model.config!;
  const outputs = model.outputs!;
  return (
    <div
      className="jp-mlstudio-View jp-mlstudio-TuningView"
      data-tuning-job={job.JobName}
      data-status={job.Status}
    >
      <Header
        {...props}
        job={job}
        config={config}
        outputs={outputs}
        now={now}
      />
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
      <Progress job={job} outputs={outputs} trans={trans} />
      <div className="jp-mlstudio-JobColumns">
        <section aria-label={trans.__('Search')}>
          <h2>{trans.__('Search')}</h2>
          <SearchConfig
            job={job}
            config={config}
            outputs={outputs}
            trans={trans}
          />
        </section>
        <section aria-label={trans.__('Hyperparameter ranges')}>
          <h2>{trans.__('Hyperparameter ranges')}</h2>
          <Ranges config={config} trans={trans} />
          {config.staticHyperParameters.length ? (
            <>
              <h2>{trans.__('Static hyperparameters')}</h2>
              <KeyValues values={config.staticHyperParameters} empty="" />
            </>
          ) : null}
        </section>
      </div>
      <TuningCharts model={model} config={config} trans={trans} />
      <section
        aria-label={trans.__('Training jobs')}
        className="jp-mlstudio-TuningJobs"
      >
        <h2>
          {trans.__('Training jobs')}
          <span className="jp-mlstudio-TuningJobs-count">
            {model.trainingJobs.length}
          </span>
        </h2>
        {model.trainingJobs.length ? (
          <TuningTable
            jobs={model.sortedTrainingJobs(now.getTime())}
            allJobs={model.trainingJobs}
            parameters={model.parameterNames}
            metricName={config.objective.metricName}
            sort={model.sort}
            onSort={column => model.sortBy(column)}
            bestName={outputs.best?.TrainingJobName ?? null}
            onOpenJob={props.onOpenJob}
            now={now}
            trans={trans}
          />
        ) : (
          <EmptyState title={trans.__('No training jobs yet')}>
            {isTerminal(job)
              ? trans.__('This tuning job ended before it started any.')
              : trans.__(
                  'The tuner starts up to %1 at a time; they appear here as they start.',
                  config.maxParallel ?? 1
                )}
          </EmptyState>
        )}
      </section>
      <section
        aria-label={trans.__('Tuner log')}
        className="jp-mlstudio-JobLogs"
      >
        <h2>{trans.__('Tuner log')}</h2>
        <TunerLog model={model} trans={trans} />
      </section>
    </div>
  );
}

function Header(
  props: ITuningViewProps & {
    job: ITuningJob;
    config: ITuningConfig;
    outputs: ITuningOutputs;
    now: Date;
  }
): JSX.Element {
  const { model, trans, job, config } = props;
  const artifactRoot = React.useContext(ArtifactRootContext);
  const [deploying, setDeploying] = React.useState(false);
  const best = props.outputs.best;
  const took = duration(job.StartTime, job.EndTime, props.now);
  const deployable = best?.TrainingJobStatus === 'Completed';
  return (
    <header className="jp-mlstudio-View-header jp-mlstudio-JobHeader">
      <h1>{job.JobName}</h1>
      <StatusBadge status={job.Status} />
      <span className="jp-mlstudio-JobHeader-detail">
        {trans.__('Tuning job')}
        {` · ${config.strategy}`}
        {took ? ` · ${took}` : ''}
      </span>
      <span className="jp-mlstudio-JobHeader-spacer" />
      <RefreshButton
        label={trans.__('Refresh tuning job')}
        onRefresh={() => model.refresh()}
      />
      <button
        type="button"
        className="jp-Button jp-mod-styled jp-mod-accept jp-mlstudio-DeployJob jp-mlstudio-DeployBest"
        disabled={!deployable || deploying}
        title={
          !best
            ? trans.__('No training job has reported an objective yet.')
            : deployable
              ? trans.__(
                  'Deploy the model of the best training job, %1',
                  best.TrainingJobName
                )
              : trans.__(
                  'The best training job, %1, is %2: it has no model to deploy.',
                  best.TrainingJobName,
                  statusLabel(best.TrainingJobStatus).toLowerCase()
                )
        }
        onClick={async () => {
          setDeploying(true);
          try {
            await deployBest(model, trans, props.onOpenEndpoint, artifactRoot);
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
            ? trans.__('Stop this tuning job and its running training jobs')
            : trans.__('The tuning job is not running.')
        }
        onClick={() => void confirmStopTuning(model, trans)}
      >
        <stopIcon.react tag="span" elementSize="normal" />
        {trans.__('Stop')}
      </button>
    </header>
  );
}

function TunerLog(props: {
  model: TuningModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const log = model.log;
  useSignals(log.changed);
  const labels = React.useMemo<ILogViewerLabels>(
    () => ({
      log: trans.__('Log of tuning job %1', model.name),
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

/** The main-area widget of a tuning job; one per tuning job. */
export class TuningWidget extends MainAreaView<TuningModel> {
  constructor(
    model: TuningModel,
    trans: TranslationBundle,
    options: TuningWidget.IOptions = {}
  ) {
    super(
      model,
      ReactWidget.create(
        withArtifactRoot(
          options.artifactRoot,
          <TuningView
            model={model}
            trans={trans}
            onOpenJob={options.onOpenJob}
            onOpenEndpoint={options.onOpenEndpoint}
          />
        )
      )
    );
    this.id = `mlstudio-tuning-job-${model.name}`;
    this.title.label = model.name;
    this.title.caption = trans.__('Tuning job %1', model.name);
    this.title.icon = studioIcon;
    this.title.closable = true;
    this.addClass('jp-mlstudio-TuningWidget');
  }
}

export namespace TuningWidget {
  export interface IOptions {
    /** Opens one of its training jobs. */
    onOpenJob?: (name: string) => void;
    /** Opens the endpoint the best model was deployed to. */
    onOpenEndpoint?: (name: string) => void;
    /** The studio's artifact root: URIs under it are printed relative to it. */
    artifactRoot?: ArtifactRoot;
  }
}
