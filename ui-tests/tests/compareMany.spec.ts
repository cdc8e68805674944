/**
 * The compare view of more runs than the legend shows (> 20): lines batched into a few
 * traces, the hover still naming each run, the run finder's highlight drawn bold on top.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { createRun, freshExperiment, inParallel } from './seed';

const EXPERIMENT = 'compare-many';
const RUNS = 30;
const STEPS = 20;
const runName = (i: number) => `${EXPERIMENT}-${i}`;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  const trial = await freshExperiment(request, EXPERIMENT, 'Compare many');
  // Run i logs i + step / 100: flat lines far enough apart to hover one.
  const indices = Array.from({ length: RUNS }, (_, i) => i);
  await inParallel(indices, 4, i =>
    createRun(request, trial, {
      name: runName(i),
      metrics: {
        loss: Array.from({ length: STEPS }, (_, s) => i + s / 100)
      }
    })
  );
});

/** Open the comparison of every run through its command (what "Compare" runs). */
async function openCompare(page: IJupyterLabPageFixture) {
  await page.evaluate(
    async ({ runs, experimentName }) => {
      await (window as any).jupyterapp.commands.execute(
        'mlstudio:compare-runs',
        { runs, experimentName }
      );
    },
    {
      runs: Array.from({ length: RUNS }, (_, i) => runName(i)),
      experimentName: EXPERIMENT
    }
  );
}

/** Where the chart draws run `i`'s point at `step`, in the page. */
async function pointOf(page: IJupyterLabPageFixture, i: number, step: number) {
  const chart = page.locator('.jp-mlstudio-CompareChart .js-plotly-plot');
  await chart.scrollIntoViewIfNeeded();
  return chart.evaluate(
    (plot: any, { i, step }) => {
      const xa = plot._fullLayout.xaxis;
      const ya = plot._fullLayout.yaxis;
      const box = plot.getBoundingClientRect();
      return {
        x: box.left + xa._offset + xa.l2p(step),
        y: box.top + ya._offset + ya.l2p(i + step / 100)
      };
    },
    { i, step }
  );
}

async function hover(page: IJupyterLabPageFixture, i: number, step: number) {
  const { x, y } = await pointOf(page, i, step);
  await page.mouse.move(x - 40, y + 40);
  await page.mouse.move(x, y);
  return page.locator('.jp-mlstudio-CompareChart .hoverlayer .hovertext');
}

test('batched lines: the hover names the run, the finder highlights it', async ({
  page
}) => {
  await openCompare(page);
  // 30 runs: one trace a colour (10), every run's points in them.
  const drawn = await page.waitForFunction(() => {
    const plot = document.querySelector(
      '.jp-mlstudio-CompareChart .js-plotly-plot'
    ) as any;
    if (!plot?.dataset.drawn || !plot.data) {
      return null;
    }
    const names = new Set(plot.data.flatMap((t: any) => t.text ?? []));
    names.delete('');
    return { traces: plot.data.length, runs: names.size };
  });
  expect(await drawn.jsonValue()).toEqual({ traces: 10, runs: RUNS });

  await expect(await hover(page, 17, 10)).toContainText(runName(17));
  await expect(await hover(page, 4, 5)).toContainText(runName(4));

  const view = page.locator('.jp-mlstudio-CompareWidget');
  await view.locator('.jp-mlstudio-RunFinder-search').fill(runName(17));
  await view
    .locator(`.jp-mlstudio-RunFinder-run[data-run="${runName(17)}"]`)
    .click();
  const last = await page.waitForFunction(n => {
    const plot = document.querySelector(
      '.jp-mlstudio-CompareChart .js-plotly-plot'
    ) as any;
    const trace = plot?.data?.[plot.data.length - 1];
    return trace?.name === n && plot.data.length === 11
      ? { width: trace.line.width, faded: plot.data[0].opacity }
      : null;
  }, runName(17));
  expect(await last.jsonValue()).toEqual({ width: 3, faded: 0.2 });
  await expect(await hover(page, 17, 12)).toContainText(runName(17));
});
