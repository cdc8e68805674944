/**
 * The charts of the tuning view: each training job's objective by its number with the
 * best so far, and the hyperparameters as parallel coordinates coloured by the
 * objective; a note instead while no job reported an objective.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { EmptyState } from '../components/EmptyState';
import { Plot } from '../components/Plot';
import { objectiveFigure, parallelFigure } from '../components/tuningFigures';
import { TuningModel } from '../models/tuningModel';
import { ITuningConfig, objectiveValue } from '../models/tuningSpec';

export function TuningCharts(props: {
  model: TuningModel;
  config: ITuningConfig;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, config, trans } = props;
  const jobs = model.trainingJobs;
  const { type, metricName } = config.objective;
  const names = model.parameterNames;
  const objective = React.useMemo(
    () =>
      objectiveFigure(jobs, type, metricName, {
        jobNumber: trans.__('Training job number'),
        objective: trans.__('Objective'),
        completed: trans.__('Training job'),
        stoppedEarly: trans.__('Stopped early'),
        bestSoFar: trans.__('Best so far'),
        best: trans.__('Best')
      }),
    [jobs, type, metricName]
  );
  const parallel = React.useMemo(
    () =>
      parallelFigure(
        jobs,
        names,
        config.ranges,
        type,
        metricName || trans.__('Objective')
      ),
    [jobs, names.join('\n'), config.ranges, type, metricName]
  );
  if (!jobs.some(job => objectiveValue(job) !== null)) {
    return (
      <section aria-label={trans.__('Charts')}>
        <h2>{trans.__('Objective')}</h2>
        <EmptyState title={trans.__('No objective values yet')}>
          {trans.__(
            'Each training job’s %1 is charted here once its log reports it.',
            metricName
          )}
        </EmptyState>
      </section>
    );
  }
  return (
    <div className="jp-mlstudio-TuningCharts">
      <section
        aria-label={trans.__('Objective by training job')}
        className="jp-mlstudio-TuningChart"
      >
        <h2>{trans.__('Objective by training job')}</h2>
        <Plot
          className="jp-mlstudio-ObjectiveChart"
          label={trans.__('%1 by training job number', metricName)}
          data={objective.data}
          layout={objective.layout}
        />
      </section>
      {parallel ? (
        <section
          aria-label={trans.__('Hyperparameters and objective')}
          className="jp-mlstudio-TuningChart"
        >
          <h2>{trans.__('Hyperparameters and objective')}</h2>
          <Plot
            className="jp-mlstudio-ParallelChart"
            label={trans.__('Hyperparameters coloured by %1', metricName)}
            data={parallel.data}
            layout={parallel.layout}
          />
        </section>
      ) : null}
    </div>
  );
}
