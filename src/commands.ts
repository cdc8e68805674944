/** Command ids and their registration. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';

import { studioIcon } from './icons';
import { IMLStudio } from './tokens';
import { SIDEBAR_ID } from './widgets/sidebar';

export namespace CommandIDs {
  export const openSidebar = 'mlstudio:open-sidebar';
  export const refresh = 'mlstudio:refresh';
}

/** Neither command takes arguments. */
const NO_ARGS = { args: { type: 'object' as const, properties: {} } };

/** Register the sidebar commands and list them in the palette (if there is one). */
export function addSidebarCommands(
  app: JupyterFrontEnd,
  studio: IMLStudio,
  trans: TranslationBundle,
  palette: ICommandPalette | null
): void {
  app.commands.addCommand(CommandIDs.openSidebar, {
    label: trans.__('Open ML Studio sidebar'),
    icon: studioIcon,
    describedBy: NO_ARGS,
    execute: () => app.shell.activateById(SIDEBAR_ID)
  });
  app.commands.addCommand(CommandIDs.refresh, {
    label: trans.__('Refresh ML Studio'),
    icon: refreshIcon,
    describedBy: NO_ARGS,
    execute: () => studio.refresh()
  });
  if (palette) {
    const category = trans.__('ML Studio');
    palette.addItem({ command: CommandIDs.openSidebar, category });
    palette.addItem({ command: CommandIDs.refresh, category });
  }
}
