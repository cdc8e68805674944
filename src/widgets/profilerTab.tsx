/**
 * The Profiler tab of a training job's view: the hosts' CPU, memory, disk and network
 * (and GPU) figures over time, one chart per figure with a line per host; the profiler
 * rules' findings; and the ProfilerReport, opened in a browser tab.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { profilerReportUrl } from '../api/debugger';
import { IJob } from '../api/types';
import { EmptyState } from '../components/EmptyState';
import { Plot, PlotLayout } from '../components/Plot';
import { useSignals } from '../components/useSignals';
import { ProfilerModel } from '../models/debugger';
import {
  IProfilerFigure,
  profilerFigures,
  ruleStatuses
} from '../models/debuggerSpec';
import { RulesTable } from './debuggerTab';

export interface IProfilerTabProps {
  job: IJob;
  model: ProfilerModel;
  trans: TranslationBundle;
  onOpenJob?: (name: string) => void;
}

/** The Profiler tab: report, rules, then a chart per figure. */
export function ProfilerTab(props: IProfilerTabProps): JSX.Element {
  const { job, model, trans } = props;
  useSignals(model.changed);
  const rules = ruleStatuses(job, 'Profiler');
  const profile = model.profile;
  const figures = React.useMemo(
    () => profilerFigures(profile?.Hosts ?? []),
    [profile]
  );
  if (!model.loaded) {
    return model.error ? (
      <p role="alert" className="jp-mlstudio-ErrorState">
        {trans.__('Could not read the profiler samples: %1', model.error)}
      </p>
    ) : (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Loading profiler samples…')}
      </p>
    );
  }
  if (profile?.ProfilingStatus === 'Disabled' && !rules.length) {
    return (
      <EmptyState title={trans.__('Profiling is disabled for this job')}>
        {trans.__(
          'Create the job with a ProfilerConfig (profiler_config=ProfilerConfig(system_monitor_interval_millis=500) on the estimator, without disable_profiler) to sample every host’s CPU, memory, disk and network; add ProfilerRule.sagemaker(rule_configs.ProfilerReport()) for a report.'
        )}
      </EmptyState>
    );
  }
  return (
    <div className="jp-mlstudio-ProfilerTab">
      <div className="jp-mlstudio-ProfilerHeader">
        <span className="jp-mlstudio-Muted">
          {trans.__(
            'Sampled every %1 ms on %2 host(s).',
            profile?.IntervalMillis ?? '',
            profile?.Hosts.length ?? 0
          )}
        </span>
        <span className="jp-mlstudio-JobHeader-spacer" />
        {profile?.Report ? (
          <a
            className="jp-Button jp-mod-styled jp-mod-accept jp-mlstudio-ProfilerReport"
            href={profilerReportUrl(job.JobName)}
            target="_blank"
            rel="noopener noreferrer"
            title={trans.__('Open the ProfilerReport in a new browser tab')}
          >
            {trans.__('Open ProfilerReport')}
          </a>
        ) : (
          <span
            className="jp-mlstudio-Muted jp-mlstudio-ProfilerReport-pending"
            title={trans.__(
              'The ProfilerReport rule writes its report once the job ends.'
            )}
          >
            {trans.__('No ProfilerReport yet')}
          </span>
        )}
      </div>
      <section aria-label={trans.__('Profiler rules')}>
        <h2>{trans.__('Rules')}</h2>
        {rules.length ? (
          <RulesTable
            rules={rules}
            trans={trans}
            label={trans.__('Profiler rules')}
            onOpenJob={props.onOpenJob}
          />
        ) : (
          <p className="jp-mlstudio-Muted">
            {trans.__(
              'No profiler rules watch this job. Add them with ProfilerRuleConfigurations (e.g. ProfilerReport, CPUBottleneck).'
            )}
          </p>
        )}
      </section>
      <section aria-label={trans.__('System metrics')}>
        <h2>{trans.__('System metrics')}</h2>
        {figures.length ? (
          <div className="jp-mlstudio-ProfilerCharts">
            {figures.map(figure => (
              <ProfilerChart key={figure.id} figure={figure} trans={trans} />
            ))}
          </div>
        ) : (
          <EmptyState title={trans.__('No samples yet')}>
            {trans.__(
              'The profiler samples each host while the job runs; charts appear with the first samples.'
            )}
          </EmptyState>
        )}
      </section>
    </div>
  );
}

/** The title of a profiler figure. */
function figureTitle(
  figure: IProfilerFigure,
  trans: TranslationBundle
): string {
  switch (figure.id) {
    case 'cpu':
      return trans.__('CPU utilisation');
    case 'cores':
      return trans.__('CPU per core');
    case 'memory':
      return trans.__('Memory');
    case 'iowait':
      return trans.__('I/O wait');
    case 'disk':
      return trans.__('Disk I/O');
    case 'network':
      return trans.__('Network');
    case 'gpu':
      return trans.__('GPU utilisation');
    case 'gpu-memory':
      return trans.__('GPU memory');
    default:
      return figure.title;
  }
}

function ProfilerChart(props: {
  figure: IProfilerFigure;
  trans: TranslationBundle;
}): JSX.Element {
  const { figure, trans } = props;
  const layout = React.useMemo<PlotLayout>(
    () => ({
      height: 240,
      margin: { l: 56, r: 16, t: 16, b: 36 },
      yaxis: {
        // CPU: 100 % is one core
        title: { text: figure.unit },
        rangemode: 'tozero'
      },
      legend: { orientation: 'h', y: -0.2 }
    }),
    [figure.unit]
  );
  return (
    <figure className="jp-mlstudio-ProfilerChart" data-figure={figure.id}>
      <figcaption>{figureTitle(figure, trans)}</figcaption>
      <Plot
        label={trans.__('%1 per host', figureTitle(figure, trans))}
        data={figure.data}
        layout={layout}
      />
    </figure>
  );
}
