/**
 * The search view: type an expression with completion of the names that exist, see
 * the matching runs of two experiments, open the selection in the compare view.
 * Screenshots in light and dark themes.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import { createRun, freshExperiment } from './seed';

const shot = (name: string) =>
  path.resolve(__dirname, '..', 'screenshots', `${name}.png`);

/** run → (experiment, lr, best accuracy) */
const RUNS: [string, string, number, number][] = [
  ['search-a-1', 'search-exp-a', 0.001, 0.95],
  ['search-a-2', 'search-exp-a', 0.1, 0.97],
  ['search-b-1', 'search-exp-b', 0.005, 0.93],
  ['search-b-2', 'search-exp-b', 0.003, 0.6]
];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  const trials: Record<string, string> = {};
  for (const experiment of ['search-exp-a', 'search-exp-b']) {
    trials[experiment] = await freshExperiment(request, experiment);
  }
  for (const [name, experiment, lr, best] of RUNS) {
    await createRun(request, trials[experiment], {
      name,
      parameters: { searchlr: lr, optimizer: 'adam' },
      tags: { team: 'search-ui' },
      metrics: { searchacc: [best / 2, best, best - 0.01] }
    });
  }
});

test('search: completion, results across experiments, compare', async ({
  page
}) => {
  // the Experiments section's search button opens the view
  if (!(await page.locator('#mlstudio-sidebar').isVisible())) {
    await page
      .locator(
        '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="mlstudio-sidebar"]'
      )
      .click();
  }
  await page
    .locator('#mlstudio-experiments')
    .getByRole('button', {
      name: 'Search runs by metrics, parameters and tags'
    })
    .click();
  const view = page.locator('.jp-mlstudio-SearchWidget');
  const box = view.locator('input[role="combobox"]');
  await expect(box).toBeVisible();

  // completion offers the metric that exists; Tab accepts the highlighted one
  await box.pressSequentially('metrics.searcha');
  const options = view.locator('[role="option"]');
  await expect(options.first()).toHaveText('metrics.searchacc.max');
  await expect(options).toHaveCount(4);
  await box.press('ArrowDown');
  await box.press('ArrowUp');
  await box.press('Tab');
  await expect(box).toHaveValue('metrics.searchacc.max ');
  // a name of this spec's own: other specs' runs add parameters to the names offered
  await box.pressSequentially('> 0.9 and parameters.searchl');
  await expect(options.first()).toHaveText('parameters.searchlr');
  await box.press('Enter');
  await box.pressSequentially('< 0.01 and tags.team = "search-ui"');
  await box.press('Escape');
  await box.press('Enter');

  // two runs of experiment a and b match (search-a-2's lr, search-b-2's accuracy fail)
  const rows = view.locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(view.getByText('2 runs match')).toBeVisible();
  await expect(rows.nth(0)).toContainText('search-a-1');
  await expect(rows.nth(0)).toContainText('search-exp-a');
  await expect(rows.nth(0)).toContainText('0.95');
  await expect(rows.nth(1)).toContainText('search-b-1');
  await expect(rows.nth(1)).toContainText('search-exp-b');
  await page.screenshot({ path: shot('search-light') });

  // a mistake says where it is
  await box.fill('metrics.searchacc.max 0.9');
  await box.press('Enter');
  await expect(view.locator('[role="alert"]')).toContainText(
    'Expected an operator'
  );
  await box.fill('metrics.searchacc.max > 0.9 and parameters.searchlr < 0.01');
  await box.press('Enter');
  await expect(rows).toHaveCount(2);

  // the keyboard selects both rows, and the compare view opens with them
  await rows.nth(0).focus();
  await page.keyboard.press('Space');
  await rows.nth(1).focus();
  await page.keyboard.press('Space');
  await view.getByRole('button', { name: 'Compare selected (2)' }).click();
  const compare = page.locator('.jp-mlstudio-CompareWidget');
  await expect(compare.locator('.jp-mlstudio-CompareTable-row')).toHaveCount(2);
  await expect(compare).toContainText('search-a-1');
  await expect(compare).toContainText('search-b-1');

  await page.theme.setDarkTheme();
  await page
    .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'Search runs' })
    .click();
  await expect(rows).toHaveCount(2);
  await page.screenshot({ path: shot('search-dark') });
  await page.theme.setLightTheme();
});
