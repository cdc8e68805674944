/**
 * Real endpoints on the process runtime of the test server: a tiny scikit-learn model
 * trained by a real training job (started through `POST /mlstudio/api/training-jobs`),
 * deployed from the job view's Deploy button, seen coming into service in the sidebar
 * and the endpoint view; a test invocation answers the model's prediction, captured
 * requests show up; a second endpoint with two variants (made through the REST API)
 * gets new weights from the view, is switched to another configuration and is deleted
 * from the sidebar; an endpoint whose code cannot be imported fails and shows its whole
 * log. Screenshots, light and dark.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';

import { api, until } from './seed';

const API = '/mlstudio/api';
const FOLDER = 'mlstudio-ui-endpoints';
const shot = (name: string) =>
  path.resolve(__dirname, '..', 'screenshots', `${name}.png`);

/**
 * Script mode: trains a logistic regression on (label, x1, x2) rows and saves it as
 * model.joblib, which the model server loads without a model_fn. Importing it (as the
 * model server does) runs nothing.
 */
const TRAIN_SCRIPT = `import os

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression

if __name__ == "__main__":
    train = os.environ["SM_CHANNEL_TRAIN"]
    data = np.loadtxt(os.path.join(train, "train.csv"), delimiter=",")
    model = LogisticRegression().fit(data[:, 1:], data[:, 0])
    print(f"accuracy={model.score(data[:, 1:], data[:, 0]):.3f}", flush=True)
    joblib.dump(model, os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))
`;

/** Label 1 when x1 > x2. */
const TRAIN_ROWS = [
  [1, 5, 1],
  [0, 1, 5],
  [1, 4, 2],
  [0, 2, 4],
  [1, 6, 3],
  [0, 3, 6],
  [1, 7, 2],
  [0, 2, 7],
  [1, 3, 1],
  [0, 1, 3]
]
  .map(row => row.join(','))
  .join('\n');

const stamp = Date.now().toString(36);
const JOB = `ui-ep-train-${stamp}`;
const ENDPOINT = `ui-ep-${stamp}`;
const AB = `ui-ab-${stamp}`;
const BROKEN = `ui-broken-${stamp}`;

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);
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

/** Write the script and data into the server's root; answer its absolute path. */
async function prepare(page: IJupyterLabPageFixture): Promise<string> {
  const request = page.request;
  await request.put(`/api/contents/${FOLDER}`, { data: { type: 'directory' } });
  await request.put(`/api/contents/${FOLDER}/data`, {
    data: { type: 'directory' }
  });
  await putFile(request, 'train_clf.py', TRAIN_SCRIPT);
  await putFile(request, 'data/train.csv', TRAIN_ROWS);
  const root = await page.evaluate(
    () =>
      JSON.parse(document.getElementById('jupyter-config-data')!.textContent!)
        .serverRoot as string
  );
  return path.join(root.replace(/^~/, os.homedir()), FOLDER);
}

/** The name of the model the first test deployed from its job's view. */
async function deployedModel(request: APIRequestContext): Promise<string> {
  const { Models } = await api(
    request,
    'get',
    `models?NameContains=${ENDPOINT}`
  );
  expect(Models.length).toBeGreaterThan(0);
  return Models[0].ModelName;
}

async function sidebarSection(
  page: IJupyterLabPageFixture,
  id: 'jobs' | 'endpoints'
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

/** Scroll the endpoint view so that `part` is at its top (or to its top). */
async function scrollTo(view: Locator, part?: Locator): Promise<void> {
  if (part) {
    await part.evaluate(node => node.scrollIntoView({ block: 'start' }));
  } else {
    await view
      .locator('.jp-mlstudio-ViewContent')
      .evaluate(node => (node.scrollTop = 0));
  }
}

/** Wait until the view's plotly charts are drawn. */
async function chartsDrawn(page: IJupyterLabPageFixture, endpoint: string) {
  await page.waitForFunction(
    name =>
      document.querySelectorAll(
        `.jp-mlstudio-EndpointView[data-endpoint="${name}"] .jp-mlstudio-EndpointChart .js-plotly-plot`
      ).length === 2,
    endpoint
  );
}

test('deploy a trained model from its job, see it serve, test it', async ({
  page
}) => {
  const folder = await prepare(page);
  await api(page.request, 'post', 'training-jobs', {
    TrainingJobName: JOB,
    ScriptMode: { EntryPoint: path.join(folder, 'train_clf.py') },
    InputDataConfig: [
      {
        ChannelName: 'train',
        DataSource: {
          S3DataSource: { S3Uri: `file://${path.join(folder, 'data')}` }
        }
      }
    ],
    ResourceConfig: { InstanceType: 'local', InstanceCount: 1 }
  });
  const trained = await until(
    () => api(page.request, 'get', `training-jobs/${JOB}`),
    job => job.Status !== 'InProgress'
  );
  expect(trained.Status, trained.FailureReason ?? '').toBe('Completed');

  // Deploy from the job view.
  const jobs = await sidebarSection(page, 'jobs');
  await jobs.locator('li', { hasText: JOB }).click();
  const jobView = page.locator('.jp-mlstudio-JobWidget', { hasText: JOB });
  await jobView.locator('.jp-mlstudio-DeployJob').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(`Deploy the model of “${JOB}”`);
  await expect(dialog.locator('input[name="endpointName"]')).toHaveValue(
    `${JOB}-endpoint`
  );
  await expect(dialog).toContainText('model.tar.gz');
  await dialog.locator('input[name="endpointName"]').fill(ENDPOINT);
  await dialog.getByRole('button', { name: 'Deploy' }).click();

  // The endpoint view opens and follows it into service.
  const view = page.locator(`#mlstudio-endpoint-${ENDPOINT}`);
  await expect(view.locator('h1')).toHaveText(ENDPOINT);
  const served = await until(
    () => api(page.request, 'get', `endpoints/${ENDPOINT}`),
    endpoint => endpoint.EndpointStatus !== 'Creating'
  );
  if (served.EndpointStatus !== 'InService') {
    await page.screenshot({
      path: path.resolve(__dirname, '..', '..', 'build', 'endpoint-failed.png')
    });
  }
  expect(served.EndpointStatus, served.FailureReason ?? '').toBe('InService');
  await expect(
    view.locator('.jp-mlstudio-View-header .jp-mlstudio-StatusBadge')
  ).toHaveText('In service');
  const variantRow = view.locator('tr[data-variant="AllTraffic"]');
  await expect(
    variantRow.locator('.jp-mlstudio-InstanceBadge[data-status="Healthy"]')
  ).toHaveCount(1);
  await expect(variantRow.locator('.jp-mlstudio-CurrentShare')).toHaveText(
    '100%'
  );

  // In the sidebar: in service, one variant taking all the traffic.
  const endpoints = await sidebarSection(page, 'endpoints');
  const row = endpoints.locator('li', { hasText: ENDPOINT });
  await expect(row.locator('.jp-mlstudio-StatusBadge')).toHaveText(
    'In service'
  );
  await expect(row).toContainText('1 variant');
  await expect(row).toContainText('AllTraffic 100%');

  // A test invocation: CSV rows in, the model's predictions out.
  const panel = view.locator('.jp-mlstudio-TestPanel');
  await panel.locator('.jp-mlstudio-TestPanel-body').fill('6,1\n1,6');
  await panel.locator('.jp-mlstudio-TestPanel-send').click();
  const answer = panel.locator('.jp-mlstudio-Answer');
  await expect(answer.locator('.jp-mlstudio-Answer-status')).toHaveText('200', {
    timeout: 30_000
  });
  await expect(answer.locator('.jp-mlstudio-Answer-variant')).toHaveText(
    'variant AllTraffic'
  );
  const predictions =
    (await answer.locator('.jp-mlstudio-Answer-body').textContent()) ?? '';
  expect(
    predictions
      .trim()
      .split(/[\s,[\]]+/)
      .filter(Boolean)
      .map(Number)
  ).toEqual([1, 0]);
  await scrollTo(view, view.locator('[aria-label="Test"]'));
  await page.screenshot({ path: shot('endpoint-test-invocation') });

  // A few more requests, straight to the invocations route, for the figures.
  for (let i = 0; i < 8; i++) {
    const response = await page.request.post(
      `${API}/endpoints/${ENDPOINT}/invocations`,
      { data: `${i},${8 - i}`, headers: { 'Content-Type': 'text/csv' } }
    );
    expect(response.status(), await response.text()).toBe(200);
  }

  // A bad request: the model's error, with its status.
  await panel.locator('.jp-mlstudio-TestPanel-body').fill('not,a,number');
  await panel.locator('.jp-mlstudio-TestPanel-send').click();
  await expect(answer).toHaveClass(/jp-mod-error/, { timeout: 30_000 });
  await expect(answer.locator('.jp-mlstudio-Answer-status')).not.toHaveText(
    '200'
  );

  // The figures count the requests; the captured requests list them.
  await expect(
    view.locator(
      '.jp-mlstudio-FiguresTable tr[data-variant="AllTraffic"] .jp-mlstudio-Figure-invocations'
    )
  ).not.toHaveText('0', { timeout: 30_000 });
  await chartsDrawn(page, ENDPOINT);
  const captures = view.locator('.jp-mlstudio-CapturesTable tbody tr');
  await expect(captures.first()).toBeVisible({ timeout: 60_000 });
  await expect(view.locator('.jp-mlstudio-CapturesTable')).toContainText('6,1');
  // The sidebar counts them too (on its next poll).
  await expect(row.locator('.jp-mlstudio-Row-invocations')).toHaveText(
    /^[1-9]\d* requests?$/,
    { timeout: 20_000 }
  );

  // The instance's log.
  await expect(view.locator('.jp-mlstudio-LogViewer-scroller')).toContainText(
    'listening on',
    { timeout: 30_000 }
  );

  await page.locator('#mlstudio-sidebar').screenshot({
    path: shot('endpoint-sidebar')
  });
  await scrollTo(view);
  await page.screenshot({ path: shot('endpoint-view') });
  await scrollTo(view, view.locator('[aria-label="Test"]'));
  await page.screenshot({ path: shot('endpoint-view-captures') });

  await page.theme.setDarkTheme();
  await expect(view.locator('h1')).toHaveText(ENDPOINT);
  await page.waitForFunction(name => {
    const plot = document.querySelector(
      `.jp-mlstudio-EndpointView[data-endpoint="${name}"] .jp-mlstudio-EndpointChart .js-plotly-plot`
    ) as unknown as { _fullLayout?: { paper_bgcolor?: string } } | null;
    const bg = plot?._fullLayout?.paper_bgcolor;
    return !!bg && bg !== 'rgb(255, 255, 255)' && bg !== '#ffffff';
  }, ENDPOINT);
  await scrollTo(view);
  await page.screenshot({ path: shot('endpoint-view-dark') });
  await scrollTo(view, view.locator('[aria-label="Test"]'));
  await page.screenshot({ path: shot('endpoint-test-invocation-dark') });
  await page.locator('#mlstudio-sidebar').screenshot({
    path: shot('endpoint-sidebar-dark')
  });
  await page.theme.setLightTheme();
});

test('two variants: new weights from the view, delete from the sidebar', async ({
  page
}) => {
  // A second endpoint of the same model, with two variants, through the REST API.
  const model = await deployedModel(page.request);
  await api(page.request, 'post', 'endpoint-configs', {
    EndpointConfigName: `${AB}-config`,
    ProductionVariants: ['blue', 'green'].map(VariantName => ({
      VariantName,
      ModelName: model,
      InitialInstanceCount: 1,
      InitialVariantWeight: 1
    })),
    DataCaptureConfig: { EnableCapture: true, InitialSamplingPercentage: 100 }
  });
  await api(page.request, 'post', 'endpoints', {
    EndpointName: AB,
    EndpointConfigName: `${AB}-config`
  });

  const endpoints = await sidebarSection(page, 'endpoints');
  const row = endpoints.locator('li', { hasText: AB });
  await expect(row.locator('.jp-mlstudio-StatusBadge')).toHaveText(
    'In service',
    { timeout: 90_000 }
  );
  await expect(row).toContainText('2 variants');
  await expect(row).toContainText('blue 50% · green 50%');
  await row.focus();
  await page.keyboard.press('Enter');
  const view = page.locator(`#mlstudio-endpoint-${AB}`);
  await expect(view.locator('h1')).toHaveText(AB);

  // Weights: checked as typed, with the split they give.
  const blue = view.getByRole('textbox', { name: 'New weight of blue' });
  const green = view.getByRole('textbox', { name: 'New weight of green' });
  const apply = view.locator('.jp-mlstudio-ApplyWeights');
  await blue.fill('-1');
  await expect(view.getByText('A weight cannot be negative.')).toBeVisible();
  await expect(apply).toBeDisabled();
  await blue.fill('0');
  await green.fill('0');
  await expect(
    view.getByText('At least one weight must be above 0.')
  ).toBeVisible();
  await expect(apply).toBeDisabled();
  await blue.fill('1');
  await green.fill('3');
  await expect(view.locator('.jp-mlstudio-NewShare')).toHaveText([
    '25%',
    '75%'
  ]);
  await apply.click();
  await expect(view.getByText('Weights applied.')).toBeVisible();
  await expect(view.locator('.jp-mlstudio-CurrentShare')).toHaveText([
    '25%',
    '75%'
  ]);
  await expect(row).toContainText('blue 25% · green 75%', { timeout: 40_000 });

  // A request to a chosen variant.
  const panel = view.locator('.jp-mlstudio-TestPanel');
  await panel.locator('.jp-mlstudio-TestPanel-variant').selectOption('blue');
  await panel
    .locator('.jp-mlstudio-TestPanel-type')
    .selectOption('application/json');
  await panel.locator('.jp-mlstudio-TestPanel-body').fill('[[1, 9], [9, 1]]');
  await panel.locator('.jp-mlstudio-TestPanel-send').click();
  const answer = panel.locator('.jp-mlstudio-Answer');
  await expect(answer.locator('.jp-mlstudio-Answer-variant')).toHaveText(
    'variant blue',
    { timeout: 30_000 }
  );
  await expect(
    view.locator('.jp-mlstudio-CapturesTable tbody tr', { hasText: 'blue' })
  ).not.toHaveCount(0, { timeout: 60_000 });
  await chartsDrawn(page, AB);
  await scrollTo(view);
  await page.screenshot({ path: shot('endpoint-view-variants') });

  // Another configuration (one variant, two instances), switched to from the view.
  await api(page.request, 'post', 'endpoint-configs', {
    EndpointConfigName: `${AB}-single`,
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        ModelName: model,
        InitialInstanceCount: 2,
        InitialVariantWeight: 1
      }
    ]
  });
  const configs = view.getByLabel('Switch to configuration');
  await configs.focus(); // the list is read again when it gets the focus
  await expect(
    configs.locator('option', { hasText: `${AB}-single` })
  ).toHaveCount(1, {
    timeout: 20_000
  });
  await configs.selectOption(`${AB}-single`);
  await expect(view.locator('.jp-mlstudio-ConfigSwitch-preview')).toHaveText(
    `AllTraffic: ${model}, 2 instances, 100% of requests`
  );
  await view.locator('.jp-mlstudio-ConfigSwitch').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('endpoint-view-config-switch') });
  await view.locator('.jp-mlstudio-SwitchConfig').click();
  await expect(view.locator('.jp-mlstudio-JobHeader-detail')).toContainText(
    `configuration ${AB}-single`,
    { timeout: 90_000 }
  );
  await expect(view.locator('.jp-mlstudio-StatusBadge').first()).toHaveText(
    'In service',
    { timeout: 90_000 }
  );
  const variantRows = view.locator(
    '.jp-mlstudio-VariantsTable tr[data-variant]'
  );
  await expect(variantRows).toHaveCount(1);
  await expect(variantRows).toHaveAttribute('data-variant', 'AllTraffic');
  await expect(
    view.locator(
      '.jp-mlstudio-VariantsTable tr[data-variant="AllTraffic"] .jp-mlstudio-InstanceBadge'
    )
  ).toHaveCount(2, { timeout: 30_000 });
  // the figures follow: only the new variant has a row there once they are read again
  await expect(
    view.locator('.jp-mlstudio-FiguresTable tr[data-variant]')
  ).toHaveCount(1, { timeout: 30_000 });
  await expect(row).toContainText('AllTraffic 100%', { timeout: 40_000 });

  // Delete, after confirmation.
  await row.locator('.jp-mlstudio-EndpointDelete').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(`Delete endpoint “${AB}”?`);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toBeVisible();
  await row.locator('.jp-mlstudio-EndpointDelete').click();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Delete endpoint' })
    .click();
  await expect(row).toHaveCount(0, { timeout: 60_000 });
  await expect(view.getByText('no longer exists')).toBeVisible({
    timeout: 30_000
  });

  await api(page.request, 'delete', `endpoints/${ENDPOINT}`);
});

test('an endpoint that cannot start shows why, with its whole log', async ({
  page
}) => {
  // The model of the first test, served by code that fails on import.
  const described = await api(
    page.request,
    'get',
    `models/${await deployedModel(page.request)}`
  );
  const folder = await prepare(page);
  await page.request.put(`/api/contents/${FOLDER}/broken`, {
    data: { type: 'directory' }
  });
  await putFile(
    page.request,
    'broken/inference.py',
    "print('loading the broken model', flush=True)\n" +
      "raise RuntimeError('cannot import me')\n"
  );
  await api(page.request, 'post', 'models', {
    ModelName: `${BROKEN}-model`,
    PrimaryContainer: {
      ModelDataUrl: described.PrimaryContainer.ModelDataUrl,
      Environment: {
        SAGEMAKER_PROGRAM: 'inference.py',
        SAGEMAKER_SUBMIT_DIRECTORY: path.join(folder, 'broken')
      }
    }
  });
  await api(page.request, 'post', 'endpoint-configs', {
    EndpointConfigName: `${BROKEN}-config`,
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        ModelName: `${BROKEN}-model`,
        InitialInstanceCount: 1,
        InitialVariantWeight: 1
      }
    ]
  });
  await api(page.request, 'post', 'endpoints', {
    EndpointName: BROKEN,
    EndpointConfigName: `${BROKEN}-config`
  });

  const endpoints = await sidebarSection(page, 'endpoints');
  const row = endpoints.locator('li', { hasText: BROKEN });
  await expect(row.locator('.jp-mlstudio-StatusBadge')).toHaveText('Failed', {
    timeout: 90_000
  });
  await row.focus();
  await page.keyboard.press('Enter');
  const view = page.locator(`#mlstudio-endpoint-${BROKEN}`);
  await expect(view.locator('h1')).toHaveText(BROKEN);
  await expect(view.locator('.jp-mlstudio-JobFailure')).toContainText(
    'cannot import me'
  );
  await expect(view.locator('.jp-mlstudio-TestPanel')).toContainText(
    'The endpoint failed to start'
  );
  // The instance is gone; its log was kept, from the first line on.
  const log = view.locator('.jp-mlstudio-LogViewer-scroller');
  await expect(log).toContainText('loading the broken model', {
    timeout: 30_000
  });
  await expect(log).toContainText('RuntimeError: cannot import me');
  await expect(view.locator('.jp-mlstudio-LogStatus')).toHaveText(
    'End of log (the instance stopped).'
  );
  await scrollTo(view, view.locator('.jp-mlstudio-JobLogs'));
  await page.screenshot({ path: shot('endpoint-view-failed') });

  await api(page.request, 'delete', `endpoints/${BROKEN}`);
  await expect(row).toHaveCount(0, { timeout: 60_000 });
});
