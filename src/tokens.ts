import { Token } from '@lumino/coreutils';

import { StudioModel } from './models/studio';

/**
 * The ML Studio shared by its plugins: the sidebar's models (experiments, jobs,
 * endpoints) and a way to refresh them.
 */
export interface IMLStudio {
  /** The models behind the sidebar sections. */
  readonly model: StudioModel;
  /** Refresh every section on screen. */
  refresh(): Promise<void>;
}

export const IMLStudio = new Token<IMLStudio>(
  'jupyter-mlstudio:IMLStudio',
  'The ML Studio models and sidebar, for plugins that add views to the studio.'
);
