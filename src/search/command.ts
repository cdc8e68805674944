/** The command that opens the search view (`mlstudio:open-search`). */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { TranslationBundle } from '@jupyterlab/translation';
import { searchIcon } from '@jupyterlab/ui-components';

export const OPEN_SEARCH = 'mlstudio:open-search';

/** The commands a search view's results go to. */
export interface ISearchCommandIds {
  /** Takes `{ runs: string[] }`. */
  compareRuns: string;
  /** Takes `{ name: string }`. */
  openRun: string;
}

/**
 * Register `mlstudio:open-search`: it opens a search view (its module loads on first
 * use), or brings the open one to the front; `{ expression }` searches at once.
 */
export function addSearchCommand(
  app: JupyterFrontEnd,
  trans: TranslationBundle,
  ids: ISearchCommandIds
): void {
  let open: import('../widgets/searchView').SearchWidget | null = null;
  app.commands.addCommand(OPEN_SEARCH, {
    label: trans.__('Search runs'),
    caption: trans.__(
      'Search runs across experiments by metrics, parameters and tags'
    ),
    icon: searchIcon,
    describedBy: {
      args: {
        type: 'object',
        properties: { expression: { type: 'string' } }
      }
    },
    execute: async args => {
      const expression =
        typeof args.expression === 'string' ? args.expression : null;
      if (!open || open.isDisposed) {
        const [{ SearchWidget }, { SearchModel }] = await Promise.all([
          import('../widgets/searchView'),
          import('./model')
        ]);
        open = new SearchWidget(new SearchModel(), trans, {
          compare: runs => void app.commands.execute(ids.compareRuns, { runs }),
          openRun: name => void app.commands.execute(ids.openRun, { name })
        });
        app.shell.add(open, 'main');
      }
      app.shell.activateById(open.id);
      if (expression !== null) {
        await open.model.run(expression);
      }
      return open;
    }
  });
}
