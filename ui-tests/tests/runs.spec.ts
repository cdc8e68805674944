/**
 * Experiments → runs → run view → compare view on data seeded through the REST API.
 * The charts must show the logged values. Screenshots in light and dark themes.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as path from 'path';

import { createRun, freshExperiment, logJsonArtifact } from './seed';

const EXPERIMENT = 'cifar-resnet';
const STEPS = 50;
const shot = (name: string) =>
  path.resolve(__dirname, '..', 'screenshots', `${name}.png`);

/** loss_i(step) and accuracy_i(step) of run i: known values the charts must show. */
const loss = (i: number, step: number) => 2 / (1 + step * (0.05 + 0.02 * i));
const accuracy = (i: number, step: number) => 1 - loss(i, step) / 2.2;
const runName = (i: number) => `${EXPERIMENT}-lr-${i}`;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  const trial = await freshExperiment(request, EXPERIMENT, 'CIFAR ResNet');
  for (let i = 0; i < 4; i++) {
    const steps = Array.from({ length: STEPS }, (_, s) => s);
    await createRun(request, trial, {
      name: runName(i),
      status: i === 3 ? 'Failed' : 'Completed',
      parameters: {
        lr: [0.1, 0.03, 0.01, 0.003][i],
        batch: 64 * (1 + (i % 2)),
        optimizer: 'sgd'
      },
      tags: { arch: i < 2 ? 'resnet18' : 'resnet50' },
      metrics: {
        loss: steps.map(s => loss(i, s)),
        accuracy: steps.map(s => accuracy(i, s))
      }
    });
  }
  await logJsonArtifact(request, runName(0), 'confusion', 'confusion.json', {
    type: 'ConfusionMatrix',
    version: 0,
    title: 'confusion',
    confusionMatrix: [
      [50, 3, 1],
      [4, 45, 2],
      [0, 5, 40]
    ]
  });
  await logJsonArtifact(request, runName(0), 'roc', 'roc.json', {
    type: 'ROCCurve',
    version: 0,
    title: 'roc',
    falsePositiveRate: [0, 0.1, 0.3, 1],
    truePositiveRate: [0, 0.6, 0.9, 1],
    areaUnderCurve: 0.85
  });
  await logJsonArtifact(
    request,
    runName(0),
    'predictions',
    'predictions.csv',
    'id,label,score\n1,cat,0.9\n2,dog,0.4\n',
    'text/csv'
  );
});

async function expandExperiment(page: IJupyterLabPageFixture) {
  if (!(await page.locator('#mlstudio-sidebar').isVisible())) {
    await page
      .locator(
        '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="mlstudio-sidebar"]'
      )
      .click();
  }
  const row = page.locator('#mlstudio-experiments li', {
    hasText: 'CIFAR ResNet'
  });
  await expect(row).toBeVisible();
  await row.locator('.jp-mlstudio-Expand').click();
  await expect(row.locator('.jp-mlstudio-RunRow')).toHaveCount(4);
  return row;
}

/** The traces of the first plotly chart under `selector`. */
async function traces(page: IJupyterLabPageFixture, selector: string) {
  await page.waitForFunction(
    s => !!document.querySelector(`${s} .js-plotly-plot`),
    selector
  );
  return page.evaluate(s => {
    const plot = document.querySelector(`${s} .js-plotly-plot`) as any;
    return plot.data.map((trace: any) => ({
      type: trace.type,
      name: trace.name,
      x: Array.from(trace.x ?? []),
      y: Array.from(trace.y ?? []),
      z: trace.z
    }));
  }, selector);
}

test('runs expand in the sidebar, filter and sort', async ({ page }) => {
  const row = await expandExperiment(page);
  // the expanded experiment takes most of the sidebar's height, for its runs
  await expect
    .poll(() =>
      page.evaluate(() => {
        const heights = Array.from(
          document.querySelectorAll(
            '#mlstudio-sidebar .jp-mlstudio-SectionWidget'
          )
        ).map(node => node.getBoundingClientRect().height);
        return heights[0] / heights.reduce((sum, h) => sum + h, 0);
      })
    )
    .toBeGreaterThan(0.5);
  await expect(row).toContainText('Failed');
  await expect(row).toContainText('loss');
  await row.locator('.jp-mlstudio-VirtualList').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('runs-sidebar') });

  await row.locator('.jp-mlstudio-Runs-status').selectOption('Failed');
  await expect(row.locator('.jp-mlstudio-RunRow')).toHaveCount(1);
  await row.locator('.jp-mlstudio-Runs-status').selectOption('');
  await row.locator('.jp-mlstudio-Runs-tag').fill('arch=resnet50');
  await expect(row.locator('.jp-mlstudio-RunRow')).toHaveCount(2);
  await row.locator('.jp-mlstudio-Runs-tag').fill('');
  await row.locator('.jp-mlstudio-Runs-sort').selectOption('metric:loss|asc');
  // Run 3 has the fastest decaying loss, so the lowest last value.
  await expect(row.locator('.jp-mlstudio-RunRow').first()).toHaveAttribute(
    'data-run',
    runName(3)
  );
});

test('a run opens in the main area with its logged series', async ({
  page
}) => {
  const row = await expandExperiment(page);
  await row
    .locator(`[data-run="${runName(1)}"] .jp-mlstudio-RunRow-name`)
    .click();
  const view = page.locator('.jp-mlstudio-RunWidget');
  await expect(view).toContainText('Parameters');
  await expect(view).toContainText('0.03');
  const data = await traces(page, '.jp-mlstudio-MetricChart');
  expect(data).toHaveLength(1);
  expect(data[0].x).toHaveLength(STEPS);
  const name = data[0].name as string;
  const expected = (name === 'loss' ? loss : accuracy).bind(null, 1);
  data[0].y.forEach((value: number, step: number) =>
    expect(value).toBeCloseTo(expected(step), 9)
  );
  await page.screenshot({ path: shot('run-view') });

  // Reopening the same run activates the open view.
  await row
    .locator(`[data-run="${runName(1)}"] .jp-mlstudio-RunRow-name`)
    .click();
  await expect(page.locator('.jp-mlstudio-RunWidget')).toHaveCount(1);
});

test('logged curves and files render in the run view', async ({ page }) => {
  const row = await expandExperiment(page);
  await row
    .locator(`[data-run="${runName(0)}"] .jp-mlstudio-RunRow-name`)
    .click();
  const heat = await traces(page, '[data-artifact="confusion"]');
  expect(heat[0].type).toBe('heatmap');
  expect(heat[0].z).toEqual([
    [50, 3, 1],
    [4, 45, 2],
    [0, 5, 40]
  ]);
  const roc = await traces(page, '[data-artifact="roc"]');
  expect(roc[0].y).toEqual([0, 0.6, 0.9, 1]);
  const csv = page.locator('[data-artifact="predictions"]');
  await csv.getByRole('button', { name: 'Preview' }).click();
  await expect(csv.locator('table')).toContainText('dog');
  await page.locator('[data-artifact="confusion"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('run-view-artifacts') });
});

test('compare view: table, charts of the logged data, dark theme', async ({
  page
}) => {
  const row = await expandExperiment(page);
  await row.locator('.jp-mlstudio-Runs-all input').check();
  await row.locator('.jp-mlstudio-Compare').click();
  const view = page.locator('.jp-mlstudio-CompareWidget');
  await expect(view.locator('.jp-mlstudio-CompareTable-row')).toHaveCount(4);

  await view.locator('.jp-mlstudio-MetricSelect').selectOption('loss');
  await page.waitForFunction(() => {
    const plot = document.querySelector(
      '.jp-mlstudio-CompareChart .js-plotly-plot'
    ) as any;
    return plot?.data?.length === 4 && plot.layout?.title?.text === 'loss';
  });
  const lines = await traces(page, '.jp-mlstudio-CompareChart');
  for (const trace of lines) {
    const i = [0, 1, 2, 3].find(k => trace.name === runName(k))!;
    expect(trace.x).toHaveLength(STEPS);
    expect(trace.y[STEPS - 1]).toBeCloseTo(loss(i, STEPS - 1), 9);
  }

  await view.locator('.jp-mlstudio-OnlyDiffering').check();
  await expect(
    view.locator('.jp-mlstudio-CompareTable-head')
  ).not.toContainText('optimizer');
  await view.locator('[data-column="param:lr"]').click();
  await expect(
    view.locator('.jp-mlstudio-CompareTable-row').first()
  ).toHaveAttribute('data-run', runName(3));
  await page.screenshot({ path: shot('compare-lines') });

  await view.locator('[data-chart="scatter"]').click();
  await page.waitForFunction(() => {
    const plot = document.querySelector(
      '.jp-mlstudio-CompareChart .js-plotly-plot'
    ) as any;
    return plot?.data?.[0]?.mode === 'markers';
  });
  const points = await traces(page, '.jp-mlstudio-CompareChart');
  expect(points[0].x).toHaveLength(4);

  await view.locator('[data-chart="parallel"]').click();
  await page.waitForFunction(() => {
    const plot = document.querySelector(
      '.jp-mlstudio-CompareChart .js-plotly-plot'
    ) as any;
    return plot?.data?.[0]?.type === 'parcoords';
  });
  await page.screenshot({ path: shot('compare-parallel') });

  await view.locator('[data-chart="lines"]').click();
  await page.theme.setDarkTheme();
  await page.waitForFunction(() => {
    const plot = document.querySelector(
      '.jp-mlstudio-CompareChart .js-plotly-plot'
    ) as any;
    const background = getComputedStyle(document.body)
      .getPropertyValue('--jp-layout-color0')
      .trim();
    return plot?._fullLayout?.paper_bgcolor &&
      background &&
      plot.data.length === 4
      ? plot._fullLayout.paper_bgcolor !== 'rgb(255, 255, 255)'
      : false;
  });
  await page.screenshot({ path: shot('compare-dark') });
  await page.theme.setLightTheme();
});

test('deleting an experiment asks first', async ({ page, request }) => {
  const trial = await freshExperiment(request, 'to-delete', 'To delete');
  await createRun(request, trial, { name: 'to-delete-run' });
  if (!(await page.locator('#mlstudio-sidebar').isVisible())) {
    await page
      .locator(
        '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="mlstudio-sidebar"]'
      )
      .click();
  }
  const row = page.locator('#mlstudio-experiments li', {
    hasText: 'To delete'
  });
  await row.locator('.jp-mlstudio-Delete').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('Delete experiment “To delete”?');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toBeVisible();
  await row.locator('.jp-mlstudio-Delete').click();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(row).toHaveCount(0);
  expect(
    (await request.get('/mlstudio/api/experiments/to-delete')).status()
  ).toBe(404);
});
