import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlstudio:plugin',
  description: 'ML Studio sidebar',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    console.log('ML Studio placeholder');
  }
};

export default plugin;
