/**
 * The model registry in a real JupyterLab. A tiny scikit-learn model is trained by a
 * real training job (through `POST /mlstudio/api/training-jobs`, on the test server's
 * runtime); a model package group gets two versions of it through the REST API, each
 * with an evaluation report (one a file in the server's root, one a run's artifact).
 * In the UI: the Models section lists the group, its view shows the versions with
 * their reports; version 2 is approved (the badge and the REST record change), filtered
 * on, then deployed from the view up to an endpoint that answers. Screenshots, light
 * and dark.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';

import { api, until } from './seed';

const API = '/mlstudio/api';
const FOLDER = 'mlstudio-ui-registry';
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
  [0, 2, 7]
]
  .map(row => row.join(','))
  .join('\n');

/** SageMaker's evaluation report of a binary classifier. */
const report = (accuracy: number, f1: number) => ({
  binary_classification_metrics: {
    accuracy: { value: accuracy, standard_deviation: 0.01 },
    f1: { value: f1, standard_deviation: 0.02 }
  }
});

const stamp = Date.now().toString(36);
const GROUP = `ui-churn-${stamp}`;
const JOB = `ui-reg-train-${stamp}`;
const RUN = `ui-reg-eval-${stamp}`;
const ENDPOINT = `ui-reg-ep-${stamp}`;

test.describe.configure({ mode: 'serial' });
test.setTimeout(240_000);
test.use({ viewport: { width: 1400, height: 900 } });

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

/** Write the script, data and first report into the server's root; answer its path. */
async function prepare(page: IJupyterLabPageFixture): Promise<string> {
  const request = page.request;
  await request.put(`/api/contents/${FOLDER}`, { data: { type: 'directory' } });
  await request.put(`/api/contents/${FOLDER}/data`, {
    data: { type: 'directory' }
  });
  await putFile(request, 'train_clf.py', TRAIN_SCRIPT);
  await putFile(request, 'data/train.csv', TRAIN_ROWS);
  await putFile(
    request,
    'evaluation-v1.json',
    JSON.stringify(report(0.84, 0.81))
  );
  const root = await page.evaluate(
    () =>
      JSON.parse(document.getElementById('jupyter-config-data')!.textContent!)
        .serverRoot as string
  );
  return path.join(root.replace(/^~/, os.homedir()), FOLDER);
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

/** Train the model both versions register; answer its container. */
async function trainModel(
  request: APIRequestContext,
  folder: string
): Promise<Record<string, unknown>> {
  await api(request, 'post', 'training-jobs', {
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
    () => api(request, 'get', `training-jobs/${JOB}`),
    job => job.Status !== 'InProgress'
  );
  expect(trained.Status, trained.FailureReason ?? '').toBe('Completed');
  return {
    ModelDataUrl: trained.Outputs.ModelArtifacts.S3ModelArtifacts,
    Environment: {
      SAGEMAKER_PROGRAM: 'train_clf.py',
      SAGEMAKER_SUBMIT_DIRECTORY: folder
    }
  };
}

/** Upload the second report as a run's artifact: its studio URI. */
async function runReport(request: APIRequestContext): Promise<string> {
  await api(request, 'post', 'trial-components', { TrialComponentName: RUN });
  const put = await request.put(
    `${API}/trial-components/${RUN}/artifacts/evaluation.json`,
    {
      data: JSON.stringify(report(0.93, 0.92)),
      headers: { 'Content-Type': 'application/json' }
    }
  );
  expect(put.status(), await put.text()).toBeLessThan(300);
  return (await put.json()).ArtifactUri;
}

test('approve a registered version in the UI and deploy it', async ({
  page
}) => {
  const folder = await prepare(page);
  const container = await trainModel(page.request, folder);
  const secondReport = await runReport(page.request);

  await api(page.request, 'post', 'model-package-groups', {
    ModelPackageGroupName: GROUP,
    ModelPackageGroupDescription: 'Churn classifier: who leaves next month'
  });
  const version = (
    description: string,
    uri: string,
    metadata: Record<string, string>
  ) =>
    api(page.request, 'post', `model-package-groups/${GROUP}/model-packages`, {
      ModelPackageDescription: description,
      InferenceSpecification: {
        Containers: [container],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['application/json'],
        SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large']
      },
      ModelMetrics: {
        ModelQuality: {
          Statistics: { ContentType: 'application/json', S3Uri: uri }
        }
      },
      CustomerMetadataProperties: metadata
    });
  const v1 = await version(
    'logistic regression, first cut',
    `file://${path.join(folder, 'evaluation-v1.json')}`,
    { team: 'churn', data: '2026-01' }
  );
  const v2 = await version('logistic regression, tuned', secondReport, {
    team: 'churn',
    data: '2026-02'
  });
  expect([v1.ModelPackageVersion, v2.ModelPackageVersion]).toEqual([1, 2]);

  // The Models section lists the group: two versions, the latest pending.
  const section = await sidebarSection(page, 'models');
  await expect(
    page.locator('#mlstudio-sidebar .lm-AccordionPanel-title', {
      hasText: 'Models'
    })
  ).toHaveAttribute('aria-expanded', 'true');
  await section.getByRole('searchbox').fill(GROUP);
  const row = section.locator('li', { hasText: GROUP });
  await expect(row).toContainText('2 versions');
  await expect(row).toContainText('v2');
  await expect(row).toContainText('Churn classifier');
  await expect(row.locator('[data-approval]')).toHaveAttribute(
    'data-approval',
    'PendingManualApproval'
  );
  await page.locator('#mlstudio-sidebar').screenshot({
    path: shot('registry-sidebar')
  });

  // Its view: both versions, newest first, with their reports' numbers.
  await row.click();
  const view = page.locator(`#mlstudio-model-group-${GROUP}`);
  await expect(view.locator('h1')).toHaveText(GROUP);
  const versions = view.locator('tr[data-version]');
  await expect(versions).toHaveCount(2);
  await expect(versions.first()).toHaveAttribute('data-version', '2');
  const second = view.locator('tr[data-version="2"]');
  const first = view.locator('tr[data-version="1"]');
  await expect(second.locator('.jp-mlstudio-MetricsCell')).toContainText(
    'accuracy 0.93'
  );
  await expect(first.locator('.jp-mlstudio-MetricsCell')).toContainText(
    'accuracy 0.84'
  );
  await expect(second).toContainText('data=2026-02');
  // Pending: Deploy is unavailable and says why.
  const deploy = second.locator('.jp-mlstudio-DeployVersion');
  await expect(deploy).toBeDisabled();
  await expect(deploy).toHaveAttribute('title', /approve this version/);

  // Version 1's details: the report read from the server's root, as JSON.
  await first.click();
  const details = view.locator('.jp-mlstudio-VersionDetails');
  await expect(
    details.locator('.jp-mlstudio-MetricsReport-json')
  ).toContainText('"binary_classification_metrics"');
  await expect(details).toContainText('Model quality · Statistics');
  await expect(details).toContainText('SAGEMAKER_PROGRAM');
  // Keyboard: the row closes with Enter, the arrow moves to version 2.
  await first.focus();
  await page.keyboard.press('Enter');
  await expect(details).toHaveCount(0);
  await page.keyboard.press('ArrowUp');
  await expect(second).toBeFocused();

  // Approve version 2 in the UI, with a description.
  await second.locator('.jp-mlstudio-ApproveVersion').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(`Approve version 2 of “${GROUP}”?`);
  await dialog.locator('textarea').fill('accuracy 0.93 on the holdout set');
  await page.screenshot({ path: shot('registry-approve-dialog') });
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(second).toHaveAttribute('data-approval', 'Approved');
  await expect(second.locator('[data-approval]')).toHaveText('Approved');
  await expect(deploy).toBeEnabled();
  const record = await api(
    page.request,
    'get',
    `model-package-groups/${GROUP}/model-packages/2`
  );
  expect(record.ModelApprovalStatus).toBe('Approved');
  expect(record.ApprovalDescription).toBe('accuracy 0.93 on the holdout set');
  // The sidebar follows on its next poll.
  await expect(row.locator('[data-approval]')).toHaveAttribute(
    'data-approval',
    'Approved',
    { timeout: 20_000 }
  );
  await expect(row).toContainText('1 approved');

  // The approval filter asks the server for approved versions only.
  await view.locator('.jp-mlstudio-ApprovalFilter').selectOption('Approved');
  await expect(versions).toHaveCount(1);
  await expect(versions.first()).toHaveAttribute('data-version', '2');
  await view.locator('.jp-mlstudio-ApprovalFilter').selectOption('');
  await expect(versions).toHaveCount(2);
  await expect(first.locator('.jp-mlstudio-MetricsCell')).toContainText(
    'accuracy 0.84'
  );
  await page.screenshot({ path: shot('registry-group-view') });

  // Version 2's details: its report, read from the run's artifacts.
  await second.click();
  await expect(
    details.locator('.jp-mlstudio-MetricsReport-json')
  ).toContainText('0.93');
  await expect(details).toContainText('accuracy 0.93 on the holdout set');
  await page.screenshot({ path: shot('registry-version-details') });

  await page.theme.setDarkTheme();
  await expect(view.locator('h1')).toHaveText(GROUP);
  await page.screenshot({ path: shot('registry-group-view-dark') });
  await page.locator('#mlstudio-sidebar').screenshot({
    path: shot('registry-sidebar-dark')
  });
  await page.theme.setLightTheme();

  // Deploy version 2 from the view, up to an endpoint that answers.
  await deploy.click();
  await expect(dialog).toContainText(`Deploy version 2 of “${GROUP}”`);
  await expect(dialog.locator('input[name="endpointName"]')).toHaveValue(
    `${GROUP}-v2`
  );
  await expect(dialog).toContainText('model.tar.gz');
  await expect(dialog).toContainText('train_clf.py');
  await dialog.locator('input[name="endpointName"]').fill(ENDPOINT);
  await page.screenshot({ path: shot('registry-deploy-dialog') });
  await dialog.getByRole('button', { name: 'Deploy' }).click();
  const endpointView = page.locator(`#mlstudio-endpoint-${ENDPOINT}`);
  await expect(endpointView.locator('h1')).toHaveText(ENDPOINT);

  const { Models } = await api(
    page.request,
    'get',
    `models?NameContains=${ENDPOINT}`
  );
  expect(Models).toHaveLength(1);
  const model = await api(page.request, 'get', `models/${Models[0].ModelName}`);
  // The version's container as registered (the registry keeps a copy of the code).
  const registered = v2.InferenceSpecification.Containers[0];
  expect(registered.ModelDataUrl).toBe(container.ModelDataUrl);
  expect(model.PrimaryContainer.ModelDataUrl).toBe(registered.ModelDataUrl);
  expect(model.PrimaryContainer.Environment).toEqual(registered.Environment);

  const served = await until(
    () => api(page.request, 'get', `endpoints/${ENDPOINT}`),
    endpoint => endpoint.EndpointStatus !== 'Creating'
  );
  expect(served.EndpointStatus, served.FailureReason ?? '').toBe('InService');
  expect(served.ProductionVariants[0].InstanceType).toBe('ml.m5.large');
  const answer = await page.request.post(
    `${API}/endpoints/${ENDPOINT}/invocations`,
    { data: '6,1\n1,6', headers: { 'Content-Type': 'text/csv' } }
  );
  expect(answer.status(), await answer.text()).toBe(200);
  expect(
    (await answer.text())
      .trim()
      .split(/[\s,[\]]+/)
      .filter(Boolean)
      .map(Number)
  ).toEqual([1, 0]);
  await api(page.request, 'delete', `endpoints/${ENDPOINT}`);
});
