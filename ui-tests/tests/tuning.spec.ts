/**
 * A real hyperparameter tuning job, started through
 * `POST /mlstudio/api/hyper-parameter-tuning-jobs` (Random strategy, six script-mode
 * training jobs two at a time, early stopping Auto) on the test server's runtime
 * (Docker when an engine answers, else the process runtime; MLSTUDIO_RUNTIME=process
 * chooses it), watched in the Tuning section and the tuning view: live progress, the
 * training jobs table sorted by objective, the objective chart with the best so far,
 * the parallel coordinates, jobs stopped early, the link to a training job, Deploy
 * best up to an endpoint that answers, and Stop on a second tuning job. Screenshots,
 * light and dark.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';

import { api, until } from './seed';

const API = '/mlstudio/api';
const FOLDER = 'mlstudio-ui-tuning';
const METRIC = 'validation:accuracy';
const shot = (name: string) =>
  path.resolve(__dirname, '..', 'screenshots', `${name}.png`);

/**
 * Script mode: prints `objective: <value>` once per epoch, rising towards a quality
 * that peaks at learning_rate 0.1 with the rbf kernel (bad settings plateau low, so
 * early stopping has something to stop), then saves a tiny scikit-learn model that
 * the model server loads without a model_fn. Importing it runs nothing.
 */
const TRAIN_SCRIPT = `import argparse, math, os, time

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--learning_rate", type=float, default=0.1)
    parser.add_argument("--n-estimators", type=int, default=10)
    parser.add_argument("--kernel", default="linear")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.5)
    args, _ = parser.parse_known_args()
    quality = (
        math.exp(-((math.log10(args.learning_rate) + 1) ** 2))
        * {"linear": 0.8, "rbf": 1.0, "poly": 0.6}[args.kernel]
        * (0.9 + args.n_estimators / 500)
    )
    for epoch in range(args.epochs):
        print(f"epoch {epoch} objective: {quality * (1 - 0.5 ** (epoch + 1)):.4f}", flush=True)
        time.sleep(args.delay)
    x = np.array([[5, 1], [1, 5], [4, 2], [2, 4], [6, 3], [3, 6]])
    y = np.array([1, 0, 1, 0, 1, 0])
    joblib.dump(LogisticRegression().fit(x, y), os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))
`;

const stamp = Date.now().toString(36);
const TUNING = `ui-tune-${stamp}`;
const STOPPED = `ui-tune-stop-${stamp}`;
const ENDPOINT = `ui-tune-ep-${stamp}`;

test.describe.configure({ mode: 'serial' });
test.setTimeout(240_000);
test.use({ viewport: { width: 1400, height: 1000 } });

async function putFile(
  request: APIRequestContext,
  file: string,
  content: string
): Promise<void> {
  const response = await request.put(`/api/contents/${FOLDER}/${file}`, {
    data: { type: 'file', format: 'text', content }
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
}

/** Write the script into the server's root; answer the folder's absolute path. */
async function prepare(page: IJupyterLabPageFixture): Promise<string> {
  await page.request.put(`/api/contents/${FOLDER}`, {
    data: { type: 'directory' }
  });
  await putFile(page.request, 'tune_train.py', TRAIN_SCRIPT);
  const root = await page.evaluate(
    () =>
      JSON.parse(document.getElementById('jupyter-config-data')!.textContent!)
        .serverRoot as string
  );
  return path.join(root.replace(/^~/, os.homedir()), FOLDER);
}

/** Start a Random tuning job of `maxJobs` over the script. */
async function startTuning(
  request: APIRequestContext,
  name: string,
  folder: string,
  maxJobs: number,
  staticHyperParameters: Record<string, string> = {}
): Promise<void> {
  const response = await request.post(`${API}/hyper-parameter-tuning-jobs`, {
    data: {
      HyperParameterTuningJobName: name,
      HyperParameterTuningJobConfig: {
        Strategy: 'Random',
        // Seed 0 draws a sixth job far below the median of the first four: early
        // stopping stops it (Optuna's median rule, as the server runs it).
        RandomSeed: 0,
        HyperParameterTuningJobObjective: {
          Type: 'Maximize',
          MetricName: METRIC
        },
        ResourceLimits: {
          MaxNumberOfTrainingJobs: maxJobs,
          MaxParallelTrainingJobs: 2
        },
        ParameterRanges: {
          IntegerParameterRanges: [
            {
              Name: 'n-estimators',
              MinValue: '5',
              MaxValue: '50',
              ScalingType: 'Linear'
            }
          ],
          ContinuousParameterRanges: [
            {
              Name: 'learning_rate',
              MinValue: '0.001',
              MaxValue: '1',
              ScalingType: 'Logarithmic'
            }
          ],
          CategoricalParameterRanges: [
            { Name: 'kernel', Values: ['linear', 'rbf', 'poly'] }
          ]
        },
        TrainingJobEarlyStoppingType: 'Auto'
      },
      TrainingJobDefinition: {
        StaticHyperParameters: staticHyperParameters,
        AlgorithmSpecification: {
          MetricDefinitions: [{ Name: METRIC, Regex: 'objective: ([0-9.]+)' }]
        },
        ScriptMode: { EntryPoint: path.join(folder, 'tune_train.py') },
        ResourceConfig: { InstanceType: 'local', InstanceCount: 1 },
        StoppingCondition: { MaxRuntimeInSeconds: 300 }
      }
    }
  });
  expect(response.status(), await response.text()).toBe(201);
}

async function sidebarSection(
  page: IJupyterLabPageFixture,
  id: string
): Promise<Locator> {
  const sidebar = page.locator('#mlstudio-sidebar');
  if (!(await sidebar.isVisible())) {
    await page
      .locator(
        '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="mlstudio-sidebar"]'
      )
      .click();
  }
  const section = sidebar.locator(`#mlstudio-${id}`);
  await expect(section).toBeVisible();
  return section;
}

/** The traces of the plotly chart labelled `label` in the tuning view. */
async function chartTraces(
  page: IJupyterLabPageFixture,
  label: string
): Promise<any[]> {
  return page.evaluate(text => {
    const plot = Array.from(
      document.querySelectorAll('.jp-mlstudio-TuningWidget .js-plotly-plot')
    ).find(node =>
      (node.getAttribute('aria-label') ?? '').includes(text)
    ) as unknown as { data?: unknown[] } | undefined;
    return plot?.data ? JSON.parse(JSON.stringify(plot.data)) : [];
  }, label);
}

async function scrollTo(part: Locator): Promise<void> {
  await part.evaluate(node => node.scrollIntoView({ block: 'start' }));
}

test('a tuning job runs live in its section and view, and its best model deploys', async ({
  page
}) => {
  const folder = await prepare(page);
  await startTuning(page.request, TUNING, folder, 6);

  // The section shows it running, with its progress.
  const section = await sidebarSection(page, 'tuning-jobs');
  await expect(
    page.locator('#mlstudio-sidebar .lm-AccordionPanel-title', {
      hasText: 'Tuning'
    })
  ).toHaveAttribute('aria-expanded', 'true');
  const row = section.locator('li', { hasText: TUNING });
  await expect(row.locator('.jp-mlstudio-StatusBadge')).toHaveText(
    'In progress'
  );
  await expect(row).toContainText('Random');
  await expect(row).toContainText(/[1-6] of 6 jobs/);
  await expect(row.locator('.jp-mlstudio-Row-running')).toHaveText(
    /[12] running/,
    { timeout: 20_000 }
  );
  await expect(row.locator('[role="progressbar"]')).toHaveAttribute(
    'aria-valuemax',
    '6'
  );

  // The view follows it: training jobs appear, the counters move.
  await row.click();
  const view = page.locator('.jp-mlstudio-TuningWidget');
  await expect(view.locator('h1')).toHaveText(TUNING);
  await expect(view.locator('.jp-mlstudio-StopJob')).toBeEnabled();
  await expect(view.locator('[aria-label="Search"]')).toContainText(
    `maximize ${METRIC}`
  );
  await expect(
    view.locator('.jp-mlstudio-TuningRanges [data-range="kernel"]')
  ).toContainText('linear, rbf, poly');
  await expect(
    view.locator('.jp-mlstudio-TuningTable tbody tr').first()
  ).toBeVisible({ timeout: 30_000 });
  await expect(view.locator('.jp-mlstudio-TuningTable')).toContainText(
    'In progress'
  );
  await expect(view.locator('.js-plotly-plot')).toHaveCount(2, {
    timeout: 60_000
  });
  await page.screenshot({ path: shot('tuning-view-live') });
  await page.locator('#mlstudio-sidebar').screenshot({
    path: shot('tuning-sidebar-live')
  });

  // It completes with six training jobs, counted, charted and sorted best first.
  await expect(view.locator('.jp-mlstudio-StatusBadge').first()).toHaveText(
    'Completed',
    { timeout: 180_000 }
  );
  const described = await api(
    page.request,
    'get',
    `hyper-parameter-tuning-jobs/${TUNING}`
  );
  const counters = described.Outputs.TrainingJobStatusCounters;
  expect(
    counters.Completed + counters.Stopped + counters.NonRetryableError
  ).toBe(6);
  const early = described.Outputs.TrainingJobsStoppedEarly;
  const best = described.Outputs.BestTrainingJob;
  await expect(view.locator('.jp-mlstudio-StopJob')).toBeDisabled();
  await expect(view).toContainText('6 of 6 training jobs started');
  const counter = (name: string) => view.locator(`[data-counter="${name}"] dd`);
  await expect(counter('completed')).toHaveText(String(counters.Completed));
  await expect(counter('stopped')).toHaveText(String(counters.Stopped));
  await expect(counter('stopped-early')).toHaveText(String(early));
  await expect(counter('running')).toHaveText('0');
  const bestValue = best.FinalHyperParameterTuningJobObjectiveMetric.Value;
  await expect(counter('best')).toHaveText(
    String(Number(bestValue.toPrecision(4)))
  );
  await expect(view.locator('[aria-label="Progress"]')).toContainText(
    'Completion reason'
  );

  const rows = view.locator('.jp-mlstudio-TuningTable tbody tr');
  await expect(rows).toHaveCount(6);
  await expect(rows.first()).toHaveAttribute('data-job', best.TrainingJobName);
  await expect(rows.first()).toHaveClass(/jp-mod-best/);
  await expect(view.locator('tr.jp-mod-early-stopped')).toHaveCount(early);
  expect(early).toBeGreaterThanOrEqual(1);
  await expect(
    view.locator('tr.jp-mod-early-stopped .jp-mlstudio-EarlyStopTag').first()
  ).toHaveText('Stopped early');
  await expect(view.locator('tr.jp-mod-early-stopped').first()).toHaveAttribute(
    'data-status',
    'Stopped'
  );
  // The objective column lists the values best first, jobs without one last.
  const values = (
    await view.locator('.jp-mlstudio-TuningTable-objective').allTextContents()
  )
    .map(Number)
    .filter(value => !Number.isNaN(value));
  expect(values).toEqual([...values].sort((a, b) => b - a));
  // Sorting by a hyperparameter, then back by the objective, from the headers.
  await view.locator('th[data-column="hp:n-estimators"] button').click();
  await expect(
    view.locator('th[data-column="hp:n-estimators"]')
  ).toHaveAttribute('aria-sort', 'ascending');
  const counts = (
    await view.locator('.jp-mlstudio-TuningTable-param').allTextContents()
  )
    .filter((_, index) => index % 3 === 0)
    .map(Number);
  expect(counts).toEqual([...counts].sort((a, b) => a - b));
  await view.locator('th[data-column="objective"] button').click();
  await expect(view.locator('th[data-column="objective"]')).toHaveAttribute(
    'aria-sort',
    'descending'
  );

  // The charts: objectives by job number with the best so far, the hyperparameters.
  await expect
    .poll(async () => {
      const traces = await chartTraces(page, 'by training job number');
      const best = traces.find(trace => trace.name === 'Best so far');
      return best ? best.y[best.y.length - 1] : null;
    })
    .toBeCloseTo(bestValue, 6);
  const objective = await chartTraces(page, 'by training job number');
  const line = objective.find(trace => trace.name === 'Best so far');
  const crosses = objective.find(trace => trace.name === 'Stopped early');
  expect(crosses.x).toHaveLength(early);
  expect(crosses.marker.symbol).toBe('x');
  line.y.forEach((value: number, index: number) =>
    expect(value).toBeGreaterThanOrEqual(line.y[Math.max(0, index - 1)])
  );
  const parallel = await chartTraces(page, 'coloured by');
  expect(parallel[0].type).toBe('parcoords');
  expect(
    parallel[0].dimensions.map((dimension: any) => dimension.label)
  ).toEqual(['n-estimators', 'learning_rate (log)', 'kernel', METRIC]);
  expect(parallel[0].dimensions[2].ticktext).toEqual(['linear', 'rbf', 'poly']);

  // The tuner's log says what it did.
  await expect(view.locator('.jp-mlstudio-LogViewer-scroller')).toContainText(
    TUNING
  );
  await page.screenshot({ path: shot('tuning-view-completed') });
  await scrollTo(view.locator('.jp-mlstudio-TuningCharts'));
  await page.screenshot({ path: shot('tuning-view-charts') });
  await scrollTo(view.locator('.jp-mlstudio-TuningJobs'));
  await page.screenshot({ path: shot('tuning-view-table') });
  await page.locator('#mlstudio-sidebar').screenshot({
    path: shot('tuning-sidebar')
  });

  await page.theme.setDarkTheme();
  await expect(view.locator('h1')).toHaveText(TUNING);
  await page.waitForFunction(() => {
    const plot = document.querySelector(
      '.jp-mlstudio-TuningWidget .js-plotly-plot'
    ) as unknown as { _fullLayout?: { paper_bgcolor?: string } } | null;
    const bg = plot?._fullLayout?.paper_bgcolor;
    return !!bg && bg !== 'rgb(255, 255, 255)' && bg !== '#ffffff';
  });
  await scrollTo(view.locator('.jp-mlstudio-JobHeader'));
  await page.screenshot({ path: shot('tuning-view-dark') });
  await scrollTo(view.locator('.jp-mlstudio-TuningCharts'));
  await page.screenshot({ path: shot('tuning-view-charts-dark') });
  await page.theme.setLightTheme();

  // A training job's name opens its job view.
  await rows.first().locator('.jp-mlstudio-Link').click();
  const jobView = page.locator('.jp-mlstudio-JobWidget', {
    hasText: best.TrainingJobName
  });
  await expect(jobView.locator('h1')).toHaveText(best.TrainingJobName);
  await expect(jobView.locator('[aria-label="Hyperparameters"]')).toContainText(
    'n-estimators'
  );

  // The Jobs section names the tuning job of each training job it started; the job
  // view links back to it.
  const jobs = await sidebarSection(page, 'jobs');
  await expect(
    jobs
      .locator('li', { hasText: best.TrainingJobName })
      .locator('.jp-mlstudio-Row-tuning')
  ).toHaveText(`tuning ${TUNING}`);
  await jobView.locator('.jp-mlstudio-JobHeader-tuning').click();
  await expect(view).toBeVisible();

  // Deploy best: the best job's model, up to an endpoint that answers.
  await view.locator('.jp-mlstudio-DeployBest').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(
    `Deploy the model of “${best.TrainingJobName}”`
  );
  await expect(dialog).toContainText('model.tar.gz');
  await dialog.locator('input[name="endpointName"]').fill(ENDPOINT);
  await page.screenshot({ path: shot('tuning-deploy-best') });
  await dialog.getByRole('button', { name: 'Deploy' }).click();
  const endpointView = page.locator(`#mlstudio-endpoint-${ENDPOINT}`);
  await expect(endpointView.locator('h1')).toHaveText(ENDPOINT);
  const served = await until(
    () => api(page.request, 'get', `endpoints/${ENDPOINT}`),
    endpoint => endpoint.EndpointStatus !== 'Creating',
    180_000
  );
  expect(served.EndpointStatus, served.FailureReason ?? '').toBe('InService');
  const answer = await page.request.post(
    `${API}/endpoints/${ENDPOINT}/invocations`,
    { data: '6,1\n1,6', headers: { 'Content-Type': 'text/csv' } }
  );
  expect(answer.status(), await answer.text()).toBe(200);
  expect((await answer.text()).replace(/\s/g, '')).toMatch(/1(\.0)?.*0(\.0)?/);
  await api(page.request, 'delete', `endpoints/${ENDPOINT}`);
});

test('Stop asks first, then stops the tuning job and its training jobs', async ({
  page
}) => {
  const folder = await prepare(page);
  // Slow epochs, so that the training jobs are still running when Stop comes.
  await startTuning(page.request, STOPPED, folder, 4, {
    epochs: '60',
    delay: '1'
  });
  const section = await sidebarSection(page, 'tuning-jobs');
  await section.locator('li', { hasText: STOPPED }).click();
  const view = page.locator('.jp-mlstudio-TuningWidget', { hasText: STOPPED });
  await expect(view.locator('[data-counter="running"] dd')).toHaveText('2', {
    timeout: 30_000
  });

  await view.locator('.jp-mlstudio-StopJob').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(`Stop tuning job “${STOPPED}”?`);
  await dialog.getByRole('button', { name: 'Keep tuning' }).click();
  await expect(view.locator('.jp-mlstudio-StatusBadge').first()).toHaveText(
    'In progress'
  );
  await view.locator('.jp-mlstudio-StopJob').click();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Stop tuning job' })
    .click();
  await expect(view.locator('.jp-mlstudio-StatusBadge').first()).toHaveText(
    'Stopped',
    { timeout: 60_000 }
  );
  await expect(view.locator('.jp-mlstudio-StopJob')).toBeDisabled();
  await expect(view.locator('[data-counter="running"] dd')).toHaveText('0');
  await expect(
    view.locator('.jp-mlstudio-TuningTable tbody tr[data-status="Stopped"]')
  ).toHaveCount(2);
  // The section follows on its own poll (every 2 s while a tuning job runs).
  await expect(
    section
      .locator('li', { hasText: STOPPED })
      .locator('.jp-mlstudio-StatusBadge')
  ).toHaveText('Stopped', { timeout: 20_000 });
  await page.screenshot({ path: shot('tuning-view-stopped') });
});
