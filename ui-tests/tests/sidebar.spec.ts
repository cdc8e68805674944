/**
 * The ML Studio sidebar in a real JupyterLab: it opens from its icon, each section
 * shows its empty state, data seeded through the REST API shows up as rows, and it
 * reads well in the dark theme. Each test saves a screenshot to ui-tests/screenshots/.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';
import * as path from 'path';

const SIDEBAR = '#mlstudio-sidebar';
const API = '/mlstudio/api';

function screenshotPath(name: string): string {
  return path.resolve(__dirname, '..', 'screenshots', `${name}.png`);
}

async function openSidebar(page: IJupyterLabPageFixture): Promise<Locator> {
  const sidebar = page.locator(SIDEBAR);
  if (!(await sidebar.isVisible())) {
    await page
      .locator(
        '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="mlstudio-sidebar"]'
      )
      .click();
  }
  await expect(sidebar).toBeVisible();
  return sidebar;
}

function sectionTitle(sidebar: Locator, label: string): Locator {
  return sidebar.locator('.lm-AccordionPanel-title', { hasText: label });
}

function section(sidebar: Locator, id: string): Locator {
  return sidebar.locator(`#mlstudio-${id}`);
}

async function post(request: APIRequestContext, route: string, data: unknown) {
  const response = await request.post(`${API}/${route}`, { data });
  expect(response.status(), await response.text()).toBeLessThan(300);
}

/** Delete every experiment, so the empty state shows whatever ran before. */
async function deleteAllExperiments(request: APIRequestContext) {
  const response = await request.get(`${API}/experiments`);
  expect(response.ok()).toBe(true);
  const { ExperimentSummaries } = await response.json();
  for (const experiment of ExperimentSummaries) {
    await request.delete(
      `${API}/experiments/${encodeURIComponent(experiment.ExperimentName)}`
    );
  }
}

/** Two experiments: one with two runs, one with one run. */
async function seedExperiments(request: APIRequestContext) {
  const experiments: [string, string, number][] = [
    ['mnist-cnn', 'MNIST CNN', 2],
    ['churn-xgboost', 'Churn XGBoost', 1]
  ];
  for (const [name, displayName, runs] of experiments) {
    const existing = await request.get(`${API}/experiments/${name}`);
    if (existing.ok()) {
      await request.delete(`${API}/experiments/${name}`);
    }
    await post(request, 'experiments', {
      ExperimentName: name,
      DisplayName: displayName,
      Tags: { team: 'ui-tests' }
    });
    const trial = `${name}-trial`;
    await post(request, 'trials', { TrialName: trial, ExperimentName: name });
    for (let run = 1; run <= runs; run++) {
      const component = `${name}-run-${run}-${Date.now()}`;
      await post(request, 'trial-components', {
        TrialComponentName: component,
        TrialName: trial,
        Parameters: { lr: 0.01 * run, optimizer: 'adam' },
        Status: { PrimaryStatus: 'Completed' }
      });
      await post(request, `trial-components/${component}/metrics`, {
        MetricData: [
          { MetricName: 'accuracy', Value: 0.9, Step: 1 },
          { MetricName: 'accuracy', Value: 0.95, Step: 2 }
        ]
      });
    }
  }
}

/** Jobs and endpoints have no create route yet: the browser answers for them. */
async function mockJobsAndEndpoints(page: IJupyterLabPageFixture) {
  const ago = (minutes: number) =>
    new Date(Date.now() - minutes * 60 * 1000).toISOString();
  const job = (
    JobName: string,
    Kind: string,
    Status: string,
    SecondaryStatus: string,
    started: number,
    ended?: number,
    FailureReason?: string
  ) => ({
    JobName,
    Kind,
    Status,
    SecondaryStatus,
    FailureReason,
    CreationTime: ago(started + 1),
    StartTime: ago(started),
    EndTime: ended === undefined ? undefined : ago(ended),
    LastModifiedTime: ago(ended ?? 0)
  });
  const answer = (body: unknown) => (route: { fulfill: Function }) =>
    route.fulfill({ status: 200, json: body });
  await page.route(
    '**/mlstudio/api/training-jobs*',
    answer({
      TrainingJobSummaries: [
        job('mnist-cnn-train-3', 'TrainingJob', 'InProgress', 'Training', 4),
        job(
          'mnist-cnn-train-2',
          'TrainingJob',
          'Completed',
          'Completed',
          65,
          3
        ),
        job(
          'churn-xgb-train-1',
          'TrainingJob',
          'Failed',
          'Failed',
          120,
          118,
          'AlgorithmError: exit code 1 (ValueError: could not convert string to float)'
        )
      ]
    })
  );
  await page.route(
    '**/mlstudio/api/processing-jobs*',
    answer({
      ProcessingJobSummaries: [
        job('churn-preprocess', 'ProcessingJob', 'Stopped', 'Stopped', 30, 29)
      ]
    })
  );
  // (automl.spec.ts starts a real AutoML job on the same server)
  await page.route(
    '**/mlstudio/api/auto-ml-jobs*',
    answer({ AutoMLJobSummaries: [], NextToken: null })
  );
  const endpoint = (EndpointName: string, EndpointStatus: string) => ({
    EndpointName,
    EndpointConfigName: `${EndpointName}-config`,
    EndpointStatus,
    CreationTime: ago(50),
    LastModifiedTime: ago(10)
  });
  await page.route(
    '**/mlstudio/api/endpoints*',
    answer({
      Endpoints: [
        endpoint('churn-prod', 'InService'),
        endpoint('mnist-canary', 'Creating'),
        endpoint('old-model', 'Failed')
      ]
    })
  );
}

/**
 * Jobs cannot be deleted, and jobs.spec.ts and automl.spec.ts start real ones on the
 * same server: tests of the empty state answer the job lists empty in the browser.
 */
async function mockNoJobs(page: IJupyterLabPageFixture) {
  await page.route('**/mlstudio/api/training-jobs*', route =>
    route.fulfill({ status: 200, json: { TrainingJobSummaries: [] } })
  );
  await page.route('**/mlstudio/api/processing-jobs*', route =>
    route.fulfill({ status: 200, json: { ProcessingJobSummaries: [] } })
  );
  await page.route('**/mlstudio/api/auto-ml-jobs*', route =>
    route.fulfill({
      status: 200,
      json: { AutoMLJobSummaries: [], NextToken: null }
    })
  );
}

test.describe.configure({ mode: 'serial' });

test.describe('ML Studio sidebar', () => {
  test('opens from its icon in the left area', async ({ page }) => {
    const tab = page.locator(
      '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="mlstudio-sidebar"]'
    );
    await expect(tab).toHaveAttribute('title', 'ML Studio');
    const sidebar = await openSidebar(page);
    await expect(
      sidebar.getByRole('heading', { name: 'ML Studio' })
    ).toBeVisible();
    for (const label of ['Experiments', 'Jobs', 'Endpoints']) {
      await expect(sectionTitle(sidebar, label)).toBeVisible();
    }
    // Every section has answered.
    await expect(sidebar.getByText(/^Loading /)).toHaveCount(0);
    await expect(sidebar.getByText('not enabled')).toHaveCount(0);
    await page.screenshot({ path: screenshotPath('sidebar-open') });
  });

  test('each section opens and shows its empty state', async ({ page }) => {
    await deleteAllExperiments(page.request);
    await mockNoJobs(page);
    const sidebar = await openSidebar(page);
    const sections: [string, string, string][] = [
      ['Experiments', 'experiments', 'No experiments yet'],
      ['Jobs', 'jobs', 'No jobs yet'],
      ['Endpoints', 'endpoints', 'No endpoints yet']
    ];
    for (const [label, id, empty] of sections) {
      const title = sectionTitle(sidebar, label);
      // Collapse, then open again with the keyboard.
      await title.click();
      await expect(title).toHaveAttribute('aria-expanded', 'false');
      await expect(section(sidebar, id)).toBeHidden();
      await title.focus();
      await page.keyboard.press('Enter');
      await expect(title).toHaveAttribute('aria-expanded', 'true');
      await expect(section(sidebar, id).getByText(empty)).toBeVisible();
    }
    await expect(
      sidebar.getByText('Runs you track from a notebook or a job appear here')
    ).toBeVisible();
    await sidebar.screenshot({ path: screenshotPath('sidebar-empty') });
  });

  test('seeded experiments show as rows, and the search filters them', async ({
    page
  }) => {
    await seedExperiments(page.request);
    const sidebar = await openSidebar(page);
    await sidebar.getByRole('button', { name: 'Refresh experiments' }).click();
    const experiments = section(sidebar, 'experiments');
    const rows = experiments.getByRole('listitem');
    await expect(rows).toHaveCount(2);
    const mnist = rows.filter({ hasText: 'MNIST CNN' });
    await expect(mnist).toContainText('2 runs');
    await expect(mnist).toContainText('created');
    await expect(rows.filter({ hasText: 'Churn XGBoost' })).toContainText(
      '1 run'
    );
    await sidebar.screenshot({ path: screenshotPath('sidebar-experiments') });

    await experiments
      .getByRole('searchbox', { name: 'Search experiments by name' })
      .fill('mnist');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('MNIST CNN');
    await sidebar.screenshot({ path: screenshotPath('sidebar-search') });

    await experiments.getByRole('searchbox').fill('no-such-experiment');
    await expect(experiments.getByText('No experiments match')).toBeVisible();
  });

  test('the palette command opens the sidebar', async ({ page }) => {
    await page.sidebar.openTab('filebrowser');
    await expect(page.locator(SIDEBAR)).toBeHidden();
    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('#command-palette');
    await palette.locator('.lm-CommandPalette-input').fill('ML Studio');
    await expect(
      palette.locator('.lm-CommandPalette-item', {
        hasText: 'Refresh ML Studio'
      })
    ).toBeVisible();
    await page.screenshot({ path: screenshotPath('sidebar-command-palette') });
    await palette
      .locator('.lm-CommandPalette-item', { hasText: 'Open ML Studio sidebar' })
      .click();
    await expect(page.locator(SIDEBAR)).toBeVisible();
  });

  test('reads well in the dark theme', async ({ page }) => {
    await seedExperiments(page.request);
    await mockNoJobs(page);
    await page.theme.setDarkTheme();
    const sidebar = await openSidebar(page);
    await expect(
      section(sidebar, 'experiments').getByRole('listitem')
    ).toHaveCount(2);
    await expect(
      section(sidebar, 'jobs').getByText('No jobs yet')
    ).toBeVisible();
    await page.screenshot({ path: screenshotPath('sidebar-dark') });
    await sidebar.screenshot({ path: screenshotPath('sidebar-dark-panel') });
  });

  test('jobs and endpoints show as rows with status badges', async ({
    page
  }) => {
    await mockJobsAndEndpoints(page);
    const sidebar = await openSidebar(page);
    const jobs = section(sidebar, 'jobs').getByRole('listitem');
    await expect(jobs).toHaveCount(4);
    const failed = jobs.filter({ hasText: 'churn-xgb-train-1' });
    await expect(failed.locator('.jp-mlstudio-StatusBadge')).toHaveText(
      'Failed'
    );
    await expect(failed).toContainText('Training job');
    await expect(failed).toContainText('2m 00s');
    await expect(failed).toContainText('AlgorithmError');
    await expect(jobs.filter({ hasText: 'churn-preprocess' })).toContainText(
      'Processing'
    );
    const endpoints = section(sidebar, 'endpoints').getByRole('listitem');
    await expect(endpoints).toHaveCount(3);
    await expect(
      endpoints
        .filter({ hasText: 'churn-prod' })
        .locator('.jp-mlstudio-StatusBadge')
    ).toHaveText('In service');
    await sidebar.screenshot({
      path: screenshotPath('sidebar-jobs-endpoints')
    });

    await page.theme.setDarkTheme();
    const dark = await openSidebar(page);
    await expect(section(dark, 'jobs').getByRole('listitem')).toHaveCount(4);
    await dark.screenshot({
      path: screenshotPath('sidebar-jobs-endpoints-dark')
    });
  });

  test('says plainly when the server extension is missing', async ({
    page
  }) => {
    // Answer every API call the way Jupyter does for a route nobody serves.
    await page.route('**/mlstudio/api/**', route =>
      route.fulfill({
        status: 404,
        contentType: 'text/html',
        body: '<html><body><h1>404 : Not Found</h1></body></html>'
      })
    );
    const sidebar = await openSidebar(page);
    await expect(
      sidebar.getByText('The jupyter_mlstudio server extension is not enabled.')
    ).toBeVisible();
    await expect(
      sidebar.getByText('pip install jupyter_mlstudio')
    ).toBeVisible();
    await expect(
      sidebar.getByText('jupyter server extension enable jupyter_mlstudio')
    ).toBeVisible();
    await expect(sectionTitle(sidebar, 'Experiments')).toBeHidden();
    await sidebar.screenshot({
      path: screenshotPath('sidebar-missing-extension')
    });

    await page.unroute('**/mlstudio/api/**');
    await sidebar.getByRole('button', { name: 'Retry' }).click();
    await expect(sectionTitle(sidebar, 'Experiments')).toBeVisible();
  });

  test('the refresh interval setting applies live', async ({ page }) => {
    const setInterval = (seconds: number) =>
      page.evaluate(async value => {
        const registry = await window.galata.getPlugin(
          '@jupyterlab/apputils-extension:settings'
        );
        await registry!.set(
          'jupyter-mlstudio:plugin',
          'refreshInterval',
          value
        );
      }, seconds);
    const currentInterval = () =>
      page.evaluate(async () => {
        const studio = (await window.galata.getPlugin(
          'jupyter-mlstudio:plugin' as never
        )) as unknown as { model: { interval: number } };
        return studio.model.interval;
      });

    const sidebar = await openSidebar(page);
    expect(await currentInterval()).toBe(5);
    await setInterval(42);
    await expect.poll(currentInterval).toBe(42);

    // At one second, a new experiment shows up without pressing refresh.
    await setInterval(1);
    await expect.poll(currentInterval).toBe(1);
    await post(page.request, 'experiments', {
      ExperimentName: `live-${Date.now()}`,
      DisplayName: 'Appears by itself'
    });
    await expect(
      section(sidebar, 'experiments').getByText('Appears by itself')
    ).toBeVisible({ timeout: 4000 });
    await setInterval(5);
  });
});
