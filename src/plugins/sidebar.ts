/** The ML Studio sidebar plugin: models, sidebar, settings and commands. */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

// The sidebar's icon and commands must exist as soon as the application starts, so
// these modules load with the plugin rather than lazily.
/* eslint-disable jupyter/prefer-lazy-imports */
import { addSidebarCommands } from '../commands';
import { PipelinesModel } from '../models/pipelines';
import { DEFAULT_REFRESH_INTERVAL } from '../models/section';
import { StudioModel } from '../models/studio';
import { IMLStudio } from '../tokens';
import { addViewCommands } from '../views';
import { StudioSidebar } from '../widgets/sidebar';
/* eslint-enable jupyter/prefer-lazy-imports */

/** The plugin id; its settings live in schema/plugin.json. */
const PLUGIN_ID = 'jupyter-mlstudio:plugin';

export const sidebarPlugin: JupyterFrontEndPlugin<IMLStudio> = {
  id: PLUGIN_ID,
  description:
    'The ML Studio sidebar: experiments, jobs, tuning, pipelines, endpoints and models.',
  autoStart: true,
  provides: IMLStudio,
  optional: [ISettingRegistry, ICommandPalette, ILayoutRestorer, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null
  ): IMLStudio => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyter_mlstudio');
    const model = new StudioModel();
    const pipelines = new PipelinesModel({ interval: model.interval });
    const studio: IMLStudio = {
      model,
      refresh: async () => {
        await Promise.all([model.refresh(), pipelines.refresh()]);
      }
    };

    const actions = addViewCommands(
      app,
      trans,
      () => model.interval,
      model.artifactRoot
    );
    const sidebar = new StudioSidebar({
      model,
      pipelines,
      translator,
      actions
    });
    app.shell.add(sidebar, 'left', { rank: 850 });
    if (restorer) {
      restorer.add(sidebar, sidebar.id);
    }

    addSidebarCommands(app, studio, trans, palette);

    if (settingRegistry) {
      void loadSettings(settingRegistry, model, pipelines);
    }
    return studio;
  }
};

async function loadSettings(
  registry: ISettingRegistry,
  model: StudioModel,
  pipelines: PipelinesModel
): Promise<void> {
  try {
    const settings = await registry.load(PLUGIN_ID);
    const apply = () => {
      const value = settings.get('refreshInterval').composite;
      model.interval =
        typeof value === 'number' && value >= 1
          ? value
          : DEFAULT_REFRESH_INTERVAL;
      pipelines.interval = model.interval;
    };
    apply();
    settings.changed.connect(apply);
  } catch (reason) {
    console.error('ML Studio: could not load its settings.', reason);
  }
}
