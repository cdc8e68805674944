/**
 * A real AutoML job, started through `POST /mlstudio/api/auto-ml-jobs` on a small
 * churn table (four candidates, the test server's runtime: run it with
 * MLSTUDIO_RUNTIME=process), opened from the Jobs section: the header, the stage
 * timeline, the candidate leaderboard and its sorting, the objective chart with the best
 * so far, the data panel, a candidate's training job, the data exploration notebook
 * opened in JupyterLab, and Deploy best up to an endpoint that answers (its view lists
 * the pipeline's two containers). Screenshots, light and dark.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';

import { api, until } from './seed';

const API = '/mlstudio/api';
const FOLDER = 'mlstudio-ui-automl';
const NOTEBOOK = 'SageMakerAutopilotDataExplorationNotebook.ipynb';
const shot = (name: string) =>
  path.resolve(__dirname, '..', 'screenshots', `${name}.png`);

const stamp = Date.now().toString(36);
const JOB = `ui-automl-${stamp}`;
const ENDPOINT = `ui-automl-ep-${stamp}`;

test.describe.configure({ mode: 'serial' });
test.setTimeout(240_000);
test.use({ viewport: { width: 1400, height: 1000 } });

/**
 * A churn table of `rows` rows (a fixed pseudo-random sequence): two numeric and two
 * categorical features, an id column the analysis drops, some missing ages; churn
 * depends on them with noise.
 */
function churnTable(rows: number): string {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const cities = ['Lisbon', 'Porto', 'Faro', 'Braga'];
  const plans = ['basic', 'plus', 'pro'];
  const lines = ['customer_id,age,income,city,plan,churn'];
  for (let id = 0; id < rows; id++) {
    const age = 18 + Math.floor(random() * 62);
    const income = 50000 + (random() - 0.5) * 60000;
    const city = cities[Math.floor(random() * cities.length)];
    const plan = plans[Math.floor(random() * plans.length)];
    const score =
      0.03 * (age - 45) +
      (income - 50000) / 20000 +
      (city === 'Porto' ? 0.8 : 0) +
      (plan === 'pro' ? 1.2 : 0) +
      (random() - 0.5);
    lines.push(
      [
        id,
        random() < 0.1 ? '' : age,
        income.toFixed(2),
        city,
        plan,
        score > 0.3 ? 'yes' : 'no'
      ].join(',')
    );
  }
  return lines.join('\n') + '\n';
}

/** Write the table into the server's root; answer its absolute path. */
async function prepare(page: IJupyterLabPageFixture): Promise<string> {
  await page.request.put(`/api/contents/${FOLDER}`, {
    data: { type: 'directory' }
  });
  const response = await page.request.put(`/api/contents/${FOLDER}/churn.csv`, {
    data: { type: 'file', format: 'text', content: churnTable(600) }
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
  const root = await page.evaluate(
    () =>
      JSON.parse(document.getElementById('jupyter-config-data')!.textContent!)
        .serverRoot as string
  );
  return path.join(root.replace(/^~/, os.homedir()), FOLDER, 'churn.csv');
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

/** The traces of the objective chart of the AutoML view. */
async function chartTraces(page: IJupyterLabPageFixture): Promise<any[]> {
  return page.evaluate(() => {
    const plot = document.querySelector(
      '.jp-mlstudio-AutoMLWidget .jp-mlstudio-AutoMLChart .js-plotly-plot'
    ) as unknown as { data?: unknown[] } | null;
    return plot?.data ? JSON.parse(JSON.stringify(plot.data)) : [];
  });
}

async function scrollTo(part: Locator): Promise<void> {
  await part.evaluate(node => node.scrollIntoView({ block: 'start' }));
}

test('an AutoML job opens from the Jobs section with its stages, candidates, chart and notebooks', async ({
  page
}) => {
  const table = await prepare(page);
  const created = await page.request.post(`${API}/auto-ml-jobs`, {
    data: {
      AutoMLJobName: JOB,
      InputDataConfig: [
        {
          DataSource: { S3DataSource: { S3Uri: table } },
          TargetAttributeName: 'churn'
        }
      ],
      AutoMLJobConfig: { CompletionCriteria: { MaxCandidates: 4 } }
    }
  });
  expect(created.status(), await created.text()).toBeLessThan(300);

  // The Jobs section lists it as an AutoML job, with what it is doing.
  const jobs = await sidebarSection(page, 'jobs');
  // (its candidates' training jobs are listed too, named after it)
  const row = jobs.locator(`li[aria-label^="${JOB}, AutoML"]`);
  await expect(row.locator('.jp-mlstudio-Row-kind')).toHaveText('AutoML');
  await expect(row.locator('.jp-mlstudio-Row-secondary')).toBeVisible({
    timeout: 20_000
  });
  await row.click();

  const view = page.locator('.jp-mlstudio-AutoMLWidget');
  await expect(view.locator('h1')).toHaveText(JOB);
  await expect(view.locator('[data-fact="target"] dd')).toHaveText('churn');
  await expect(
    view.locator('.jp-mlstudio-AutoMLLeaderboard tbody tr').first()
  ).toBeVisible({ timeout: 60_000 });

  // It ends once four candidates trained; the view follows on its own poll.
  const described = await until(
    () => api(page.request, 'get', `auto-ml-jobs/${JOB}`),
    job => job.Status !== 'InProgress',
    180_000
  );
  expect(described.Status, described.FailureReason ?? '').toBe('Completed');
  const outputs = described.Outputs;
  await expect(view.locator('.jp-mlstudio-StatusBadge').first()).toHaveText(
    'Completed',
    { timeout: 20_000 }
  );
  await expect(view.locator('.jp-mlstudio-AutoMLSecondary')).toHaveText(
    'Max candidates reached'
  );
  await expect(view.locator('.jp-mlstudio-StopJob')).toBeDisabled();
  await expect(view.locator('[data-fact="problem-type"] dd')).toHaveText(
    outputs.ResolvedAttributes.ProblemType
  );
  await expect(view.locator('[data-fact="objective"] dd')).toHaveText(
    outputs.ResolvedAttributes.AutoMLJobObjective.MetricName
  );
  await expect(view.locator('[data-fact="rows"] dd')).toHaveText('600');

  // The stage timeline: the stages the job went through, each with its duration,
  // then why it ended.
  const steps = view.locator('.jp-mlstudio-AutoMLTimeline-step');
  await expect(steps).toHaveCount(5);
  const stages = outputs.Stages.map((stage: { Stage: string }) => stage.Stage);
  expect(stages.slice(0, 3)).toEqual([
    'Starting',
    'AnalyzingData',
    'FeatureEngineering'
  ]);
  for (let i = 0; i < 4; i++) {
    await expect(steps.nth(i)).toHaveAttribute('data-stage', stages[i]);
    await expect(steps.nth(i)).toHaveAttribute('data-state', 'done');
    await expect(
      steps.nth(i).locator('.jp-mlstudio-AutoMLTimeline-detail')
    ).toHaveText(/^\d+(s|m \d\ds)$/);
  }
  await expect(steps.nth(4)).toHaveAttribute(
    'data-stage',
    'MaxCandidatesReached'
  );
  await expect(view.locator('[aria-current="step"]')).toHaveCount(0);

  // The leaderboard: every candidate, best first and starred.
  const listed = await api(
    page.request,
    'get',
    `auto-ml-jobs/${JOB}/candidates?SortBy=FinalObjectiveMetricValue&SortOrder=Descending`
  );
  const best = outputs.BestCandidate;
  const rows = view.locator('.jp-mlstudio-AutoMLLeaderboard tbody tr');
  await expect(rows).toHaveCount(listed.Candidates.length);
  expect(listed.Candidates.length).toBeGreaterThanOrEqual(4);
  await expect(rows.first()).toHaveAttribute(
    'data-candidate',
    best.CandidateName
  );
  await expect(rows.first()).toHaveClass(/jp-mod-best/);
  await expect(rows.first()).toContainText(best.CandidateDefinition.Algorithm);
  const order = await rows.evaluateAll(nodes =>
    nodes.map(node => node.getAttribute('data-candidate'))
  );
  expect(order).toEqual(
    listed.Candidates.map((c: { CandidateName: string }) => c.CandidateName)
  );
  // Sorting by algorithm from its header button, then back by rank.
  await view.locator('th[data-column="algorithm"] button').click();
  await expect(view.locator('th[data-column="algorithm"]')).toHaveAttribute(
    'aria-sort',
    'ascending'
  );
  const algorithms = await view
    .locator('.jp-mlstudio-AutoMLLeaderboard-algorithm')
    .allTextContents();
  expect(algorithms).toEqual([...algorithms].sort());
  await view.locator('th[data-column="rank"] button').click();
  await expect(rows.first()).toHaveAttribute(
    'data-candidate',
    best.CandidateName
  );

  // The chart: a point per candidate in launch order, the best so far ending at the best.
  await expect(
    view.locator('.jp-mlstudio-AutoMLChart .js-plotly-plot')
  ).toHaveCount(1);
  await expect
    .poll(async () => {
      const traces = await chartTraces(page);
      const line = traces.find(trace => trace.name === 'Best so far');
      return line ? line.y[line.y.length - 1] : null;
    })
    .toBeCloseTo(best.FinalAutoMLJobObjectiveMetric.Value, 6);
  const traces = await chartTraces(page);
  expect(traces[0].x).toHaveLength(listed.Candidates.length);
  const line = traces.find(trace => trace.name === 'Best so far');
  line.y.forEach((value: number, index: number) =>
    expect(value).toBeGreaterThanOrEqual(line.y[Math.max(0, index - 1)])
  );

  // The data panel: the target, then the columns as the analysis typed them.
  const data = view.locator('.jp-mlstudio-AutoMLData');
  await expect(data.locator('tr[data-column="churn"]')).toContainText('target');
  await expect(data.locator('tr[data-column="customer_id"]')).toHaveAttribute(
    'data-type',
    'dropped'
  );
  await expect(data.locator('tr[data-column="city"]')).toHaveAttribute(
    'data-type',
    'categorical'
  );
  await expect(data.locator('tr[data-column="age"]')).toHaveAttribute(
    'data-type',
    'numeric'
  );
  await expect(view.locator('.jp-mlstudio-LogViewer-scroller')).toContainText(
    'stage TrainingModels'
  );

  await scrollTo(view.locator('.jp-mlstudio-JobHeader'));
  await page.screenshot({ path: shot('automl-view') });
  await scrollTo(view.locator('.jp-mlstudio-AutoMLCandidates'));
  await page.screenshot({ path: shot('automl-view-candidates') });
  await page.theme.setDarkTheme();
  await expect(view.locator('h1')).toHaveText(JOB);
  await page.waitForFunction(() => {
    const plot = document.querySelector(
      '.jp-mlstudio-AutoMLWidget .js-plotly-plot'
    ) as unknown as { _fullLayout?: { paper_bgcolor?: string } } | null;
    const bg = plot?._fullLayout?.paper_bgcolor;
    return !!bg && bg !== 'rgb(255, 255, 255)' && bg !== '#ffffff';
  });
  await scrollTo(view.locator('.jp-mlstudio-JobHeader'));
  await page.screenshot({ path: shot('automl-view-dark') });
  await page.theme.setLightTheme();

  // A candidate's name opens its training job.
  await rows.first().locator('.jp-mlstudio-Link').click();
  const trainingJob = best.CandidateSteps[0].CandidateStepName;
  const jobView = page.locator('.jp-mlstudio-JobWidget', {
    hasText: trainingJob
  });
  await expect(jobView.locator('h1')).toHaveText(trainingJob);
  await page
    .locator(`.lm-TabBar-tab[data-id="mlstudio-automl-job-${JOB}"]`)
    .click();
  await expect(view).toBeVisible();

  // The data exploration notebook: saved under automl/<job>/ and opened.
  await view.locator(`[data-notebook="${NOTEBOOK}"]`).click();
  const notebook = page.locator('.jp-NotebookPanel', {
    has: page.locator('.jp-Notebook')
  });
  await expect(
    page.locator('.lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel', {
      hasText: NOTEBOOK
    })
  ).toBeVisible({ timeout: 20_000 });
  await expect(notebook.locator('.jp-Cell').first()).toBeVisible();
  await expect(notebook).toContainText('churn');
  const saved = await page.request.get(
    `/api/contents/automl/${JOB}/${NOTEBOOK}?content=0`
  );
  expect(saved.status()).toBe(200);
  expect((await saved.json()).type).toBe('notebook');
  await page.screenshot({ path: shot('automl-notebook') });
});

test('Deploy best makes a pipeline endpoint of the best candidate that answers', async ({
  page
}) => {
  const described = await api(page.request, 'get', `auto-ml-jobs/${JOB}`);
  const best = described.Outputs.BestCandidate;
  const jobs = await sidebarSection(page, 'jobs');
  await jobs.locator(`li[aria-label^="${JOB}, AutoML"]`).click();
  const view = page.locator('.jp-mlstudio-AutoMLWidget');
  await expect(view.locator('h1')).toHaveText(JOB);
  const deploy = view.locator('.jp-mlstudio-DeployBest');
  await expect(deploy).toBeEnabled();
  await deploy.click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(best.CandidateName);
  await dialog.locator('input[name="endpointName"]').fill(ENDPOINT);
  await dialog.getByRole('button', { name: 'Deploy' }).click();
  const endpointView = page.locator(`#mlstudio-endpoint-${ENDPOINT}`);
  await expect(endpointView.locator('h1')).toHaveText(ENDPOINT);
  const served = await until(
    () => api(page.request, 'get', `endpoints/${ENDPOINT}`),
    endpoint => endpoint.EndpointStatus !== 'Creating',
    180_000
  );
  expect(served.EndpointStatus, served.FailureReason ?? '').toBe('InService');
  const config = await api(
    page.request,
    'get',
    `endpoint-configs/${served.EndpointConfigName}`
  );
  const model = await api(
    page.request,
    'get',
    `models/${config.ProductionVariants[0].ModelName}`
  );
  expect(
    model.Containers.map(
      (c: { ContainerHostname: string }) => c.ContainerHostname
    )
  ).toEqual(['feature-transform', 'algorithm']);
  const answer = await page.request.post(
    `${API}/endpoints/${ENDPOINT}/invocations`,
    {
      data: '1,45,52000.5,Porto,pro\n2,30,20000,Faro,basic\n',
      headers: { 'Content-Type': 'text/csv' }
    }
  );
  expect(answer.status(), await answer.text()).toBe(200);
  expect((await answer.text()).trim().split('\n')).toHaveLength(2);
  // The endpoint view lists the pipeline's containers, in order.
  const containers = endpointView.locator(
    '.jp-mlstudio-PipelineContainers-table tbody tr'
  );
  await expect(containers).toHaveCount(2, { timeout: 20_000 });
  await expect(containers.nth(0)).toHaveAttribute(
    'data-container',
    'feature-transform'
  );
  await expect(containers.nth(1)).toHaveAttribute(
    'data-container',
    'algorithm'
  );
  await expect(containers.nth(1)).toContainText('model.tar.gz');
  await scrollTo(endpointView.locator('.jp-mlstudio-PipelineContainers'));
  await page.screenshot({ path: shot('automl-deployed') });
  await api(page.request, 'delete', `endpoints/${ENDPOINT}`);
});
