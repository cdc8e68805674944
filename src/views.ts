/**
 * Commands that open the run, job, tuning job, AutoML job, endpoint, model group, pipeline execution and comparison views in the main area. Their modules
 * (and plotly, which they load when they draw) are fetched on first use.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';

import type { JobKind } from './api/types';
import type { ArtifactRoot } from './models/artifactRoot';
import { setLineageActions } from './models/lineage';
import type { IEndpointActions } from './widgets/endpoints';
import type { IRunActions } from './widgets/experiments';
import type { IJobActions } from './widgets/jobs';
import type { IModelActions } from './widgets/modelGroups';
import type { IPipelineActions } from './widgets/pipelines';
import { addSearchCommand, OPEN_SEARCH } from './search/command';
import type { ITuningActions } from './widgets/tuningJobs';

export namespace ViewCommandIDs {
  export const openRun = 'mlstudio:open-run';
  export const openExperiment = 'mlstudio:open-experiment';
  export const compareRuns = 'mlstudio:compare-runs';
  export const openJob = 'mlstudio:open-job';
  export const openTuningJob = 'mlstudio:open-tuning-job';
  export const openAutoMLJob = 'mlstudio:open-automl-job';
  export const openEndpoint = 'mlstudio:open-endpoint';
  export const openModelGroup = 'mlstudio:open-model-group';
  export const openPipelineExecution = 'mlstudio:open-pipeline-execution';
}

const JOB_KINDS: JobKind[] = [
  'TrainingJob',
  'ProcessingJob',
  'TransformJob',
  'AutoMLJob'
];

/**
 * Register the view commands; returns the actions the sidebar calls. The views poll
 * every `interval()` seconds and print artifact URIs relative to `artifactRoot`, which
 * they read when they open (once it is known, never again).
 */
export function addViewCommands(
  app: JupyterFrontEnd,
  trans: TranslationBundle,
  interval: () => number,
  artifactRoot: ArtifactRoot
): IRunActions &
  IJobActions &
  ITuningActions &
  IEndpointActions &
  IModelActions &
  IPipelineActions {
  const runs = new Map<string, MainAreaWidget>();
  const experiments = new Map<string, MainAreaWidget>();
  const jobs = new Map<string, MainAreaWidget>();
  const endpoints = new Map<string, MainAreaWidget>();
  const tuningJobs = new Map<string, MainAreaWidget>();
  const automlJobs = new Map<string, MainAreaWidget>();
  const modelGroups = new Map<string, MainAreaWidget>();
  const pipelineExecutions = new Map<string, MainAreaWidget>();

  app.commands.addCommand(ViewCommandIDs.openRun, {
    label: trans.__('Open run'),
    describedBy: {
      args: {
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name']
      }
    },
    execute: async args => {
      const name = String(args.name);
      const open = runs.get(name);
      if (open && !open.isDisposed) {
        app.shell.activateById(open.id);
        return open;
      }
      const [{ RunWidget }, { RunModel }] = await Promise.all([
        import('./widgets/runView'),
        import('./models/run')
      ]);
      void artifactRoot.load();
      const widget = new RunWidget(
        new RunModel(name, interval()),
        trans,
        artifactRoot
      );
      runs.set(name, widget);
      widget.disposed.connect(() => runs.delete(name));
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    }
  });

  app.commands.addCommand(ViewCommandIDs.openExperiment, {
    label: trans.__('Open experiment'),
    describedBy: {
      args: {
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name']
      }
    },
    execute: async args => {
      const name = String(args.name);
      const open = experiments.get(name);
      if (open && !open.isDisposed) {
        app.shell.activateById(open.id);
        return open;
      }
      const [{ ExperimentWidget }, { ExperimentTableModel }] =
        await Promise.all([
          import('./widgets/experimentView'),
          import('./models/experimentTable')
        ]);
      const widget = new ExperimentWidget(
        new ExperimentTableModel(name, { interval: interval() }),
        trans,
        {
          openRun: run =>
            void app.commands.execute(ViewCommandIDs.openRun, { name: run }),
          compare: (experimentName, names) =>
            void app.commands.execute(ViewCommandIDs.compareRuns, {
              runs: names,
              experimentName
            })
        }
      );
      experiments.set(name, widget);
      widget.disposed.connect(() => experiments.delete(name));
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    }
  });

  app.commands.addCommand(ViewCommandIDs.compareRuns, {
    label: trans.__('Compare runs'),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          runs: { type: 'array', items: { type: 'string' } },
          experimentName: { type: 'string' }
        },
        required: ['runs']
      }
    },
    execute: async args => {
      const names = (args.runs as string[]) ?? [];
      const experimentName = args.experimentName as string | undefined;
      const [{ CompareWidget }, { CompareModel }] = await Promise.all([
        import('./widgets/compareView'),
        import('./models/compare')
      ]);
      const widget = new CompareWidget(
        new CompareModel(names, experimentName),
        trans,
        name => void app.commands.execute(ViewCommandIDs.openRun, { name })
      );
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    }
  });

  app.commands.addCommand(ViewCommandIDs.openJob, {
    label: trans.__('Open job'),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          kind: { type: 'string', enum: JOB_KINDS }
        },
        required: ['name']
      }
    },
    execute: async args => {
      const name = String(args.name);
      const kind = JOB_KINDS.includes(args.kind as JobKind)
        ? (args.kind as JobKind)
        : 'TrainingJob';
      if (kind === 'AutoMLJob') {
        return app.commands.execute(ViewCommandIDs.openAutoMLJob, { name });
      }
      const key = `${kind}/${name}`;
      const open = jobs.get(key);
      if (open && !open.isDisposed) {
        app.shell.activateById(open.id);
        return open;
      }
      const [{ JobWidget }, { JobModel }] = await Promise.all([
        import('./widgets/jobView'),
        import('./models/job')
      ]);
      void artifactRoot.load();
      const widget = new JobWidget(new JobModel(kind, name), trans, {
        onOpenRun: run =>
          void app.commands.execute(ViewCommandIDs.openRun, { name: run }),
        onOpenEndpoint: endpoint =>
          void app.commands.execute(ViewCommandIDs.openEndpoint, {
            name: endpoint
          }),
        onOpenTuningJob: tuning =>
          void app.commands.execute(ViewCommandIDs.openTuningJob, {
            name: tuning
          }),
        onOpenJob: (other, job) =>
          void app.commands.execute(ViewCommandIDs.openJob, {
            kind: other,
            name: job
          }),
        artifactRoot
      });
      jobs.set(key, widget);
      widget.disposed.connect(() => jobs.delete(key));
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    }
  });

  app.commands.addCommand(ViewCommandIDs.openTuningJob, {
    label: trans.__('Open tuning job'),
    describedBy: {
      args: {
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name']
      }
    },
    execute: async args => {
      const name = String(args.name);
      const open = tuningJobs.get(name);
      if (open && !open.isDisposed) {
        app.shell.activateById(open.id);
        return open;
      }
      const [{ TuningWidget }, { TuningModel }] = await Promise.all([
        import('./widgets/tuningView'),
        import('./models/tuningModel')
      ]);
      void artifactRoot.load();
      const widget = new TuningWidget(new TuningModel(name), trans, {
        onOpenJob: job =>
          void app.commands.execute(ViewCommandIDs.openJob, {
            kind: 'TrainingJob',
            name: job
          }),
        onOpenEndpoint: endpoint =>
          void app.commands.execute(ViewCommandIDs.openEndpoint, {
            name: endpoint
          }),
        artifactRoot
      });
      tuningJobs.set(name, widget);
      widget.disposed.connect(() => tuningJobs.delete(name));
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    }
  });

  app.commands.addCommand(ViewCommandIDs.openAutoMLJob, {
    label: trans.__('Open AutoML job'),
    describedBy: {
      args: {
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name']
      }
    },
    execute: async args => {
      const name = String(args.name);
      const open = automlJobs.get(name);
      if (open && !open.isDisposed) {
        app.shell.activateById(open.id);
        return open;
      }
      const [{ AutoMLWidget }, { AutoMLModel }, { saveAutoMLNotebook }] =
        await Promise.all([
          import('./widgets/automlView'),
          import('./models/automlModel'),
          import('./models/automlNotebooks')
        ]);
      void artifactRoot.load();
      const widget = new AutoMLWidget(new AutoMLModel(name), trans, {
        onOpenJob: job =>
          void app.commands.execute(ViewCommandIDs.openJob, {
            kind: 'TrainingJob',
            name: job
          }),
        onOpenEndpoint: endpoint =>
          void app.commands.execute(ViewCommandIDs.openEndpoint, {
            name: endpoint
          }),
        onOpenNotebook: async file => {
          const path = await saveAutoMLNotebook(
            app.serviceManager.contents,
            name,
            file
          );
          await app.commands.execute('docmanager:open', { path });
        },
        artifactRoot
      });
      automlJobs.set(name, widget);
      widget.disposed.connect(() => automlJobs.delete(name));
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    }
  });

  app.commands.addCommand(ViewCommandIDs.openEndpoint, {
    label: trans.__('Open endpoint'),
    describedBy: {
      args: {
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name']
      }
    },
    execute: async args => {
      const name = String(args.name);
      const open = endpoints.get(name);
      if (open && !open.isDisposed) {
        app.shell.activateById(open.id);
        return open;
      }
      const [{ EndpointWidget }, { EndpointModel }] = await Promise.all([
        import('./widgets/endpointView'),
        import('./models/endpoint')
      ]);
      void artifactRoot.load();
      const widget = new EndpointWidget(
        new EndpointModel(name, { interval: interval() }),
        trans,
        artifactRoot,
        undefined,
        job =>
          void app.commands.execute(ViewCommandIDs.openJob, {
            kind: 'ProcessingJob',
            name: job
          })
      );
      endpoints.set(name, widget);
      widget.disposed.connect(() => endpoints.delete(name));
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    }
  });

  app.commands.addCommand(ViewCommandIDs.openModelGroup, {
    label: trans.__('Open model group'),
    describedBy: {
      args: {
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name']
      }
    },
    execute: async args => {
      const name = String(args.name);
      const open = modelGroups.get(name);
      if (open && !open.isDisposed) {
        app.shell.activateById(open.id);
        return open;
      }
      const [{ ModelGroupWidget }, { ModelGroupModel }] = await Promise.all([
        import('./widgets/modelGroupView'),
        import('./models/registryGroup')
      ]);
      void artifactRoot.load();
      const model = new ModelGroupModel(name, {
        interval: interval(),
        artifactRoot,
        serverRoot: PageConfig.getOption('serverRoot')
      });
      const widget = new ModelGroupWidget(model, trans, {
        onOpenEndpoint: endpoint =>
          void app.commands.execute(ViewCommandIDs.openEndpoint, {
            name: endpoint
          }),
        artifactRoot
      });
      modelGroups.set(name, widget);
      widget.disposed.connect(() => modelGroups.delete(name));
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    }
  });

  app.commands.addCommand(ViewCommandIDs.openPipelineExecution, {
    label: trans.__('Open pipeline execution'),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          pipelineName: { type: 'string' },
          executionId: { type: 'string' }
        },
        required: ['pipelineName', 'executionId']
      }
    },
    execute: async args => {
      const pipelineName = String(args.pipelineName);
      const executionId = String(args.executionId);
      const open = pipelineExecutions.get(executionId);
      if (open && !open.isDisposed) {
        app.shell.activateById(open.id);
        return open;
      }
      const [{ PipelineExecutionWidget }, { PipelineExecutionModel }] =
        await Promise.all([
          import('./widgets/pipelineView'),
          import('./models/pipelineExecution')
        ]);
      const widget = new PipelineExecutionWidget(
        new PipelineExecutionModel(pipelineName, executionId),
        trans,
        {
          onOpenJob: (kind, name) =>
            void app.commands.execute(ViewCommandIDs.openJob, { kind, name }),
          onOpenTuningJob: name =>
            void app.commands.execute(ViewCommandIDs.openTuningJob, { name }),
          onOpenModelGroup: name =>
            void app.commands.execute(ViewCommandIDs.openModelGroup, { name })
        }
      );
      pipelineExecutions.set(executionId, widget);
      widget.disposed.connect(() => pipelineExecutions.delete(executionId));
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    }
  });

  addSearchCommand(app, trans, {
    compareRuns: ViewCommandIDs.compareRuns,
    openRun: ViewCommandIDs.openRun
  });

  const actions: IRunActions &
    IJobActions &
    ITuningActions &
    IEndpointActions &
    IModelActions &
    IPipelineActions = {
    openPipelineExecution: (pipelineName, executionId) =>
      void app.commands.execute(ViewCommandIDs.openPipelineExecution, {
        pipelineName,
        executionId
      }),
    openModelGroup: name =>
      void app.commands.execute(ViewCommandIDs.openModelGroup, { name }),
    openEndpoint: name =>
      void app.commands.execute(ViewCommandIDs.openEndpoint, { name }),
    openJob: (kind, name) =>
      void app.commands.execute(ViewCommandIDs.openJob, { kind, name }),
    openTuningJob: name =>
      void app.commands.execute(ViewCommandIDs.openTuningJob, { name }),
    openRun: name =>
      void app.commands.execute(ViewCommandIDs.openRun, { name }),
    openExperiment: name =>
      void app.commands.execute(ViewCommandIDs.openExperiment, { name }),
    openSearch: () => void app.commands.execute(OPEN_SEARCH),
    compare: (experimentName, names) =>
      void app.commands.execute(ViewCommandIDs.compareRuns, {
        runs: names,
        experimentName
      })
  };
  setLineageActions(actions); // what a lineage list's entities open
  return actions;
}
