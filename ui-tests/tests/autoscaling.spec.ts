/**
 * Endpoint autoscaling on a real endpoint of the test server's process runtime, set up
 * through the REST API: a model trained by a training job and deployed on one instance;
 * a scalable target with a target-tracking policy (PUT …/autoscaling). Raising its
 * minimum to 2 makes the studio's controller add an instance (a scaling activity); its
 * maximum lowered to 1, the controller removes it again. The endpoint view's
 * Autoscaling tab follows both while it is open: the bounds, the policy, the instances
 * and the activities, newest first. Screenshots, light and dark (docs/images:
 * autoscaling-view.png, copied from screenshots/).
 *
 * The test server evaluates every 2 s (`c.StudioApp.autoscaling_period` in
 * ui-tests/jupyter_server_test_config.py), so the instances come and go in seconds.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';

import { api, until } from './seed';

const FOLDER = 'mlstudio-ui-autoscaling';
const shot = (name: string) =>
  path.resolve(__dirname, '..', 'screenshots', `${name}.png`);

const stamp = Date.now().toString(36);
const JOB = `ui-scale-train-${stamp}`;
const ENDPOINT = `ui-scale-${stamp}`;

/** Trains nothing (writes a file as its model) and serves its input back. */
const SCRIPT = `import os


def model_fn(model_dir):
    return open(os.path.join(model_dir, "model.txt")).read()


def predict_fn(data, model):
    return data


if __name__ == "__main__":
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as out:
        out.write("echo")
`;

test.describe.configure({ mode: 'serial' });
test.setTimeout(420_000);
test.use({ viewport: { width: 1400, height: 1000 } });

/** Write the script into the server's root; answer its folder's absolute path. */
async function prepare(page: IJupyterLabPageFixture): Promise<string> {
  await page.request.put(`/api/contents/${FOLDER}`, {
    data: { type: 'directory' }
  });
  const response = await page.request.put(`/api/contents/${FOLDER}/echo.py`, {
    data: { type: 'file', format: 'text', content: SCRIPT }
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
  const root = await page.evaluate(
    () =>
      JSON.parse(document.getElementById('jupyter-config-data')!.textContent!)
        .serverRoot as string
  );
  return path.join(root.replace(/^~/, os.homedir()), FOLDER);
}

/** Register the variant's bounds and its policy on invocations per instance. */
async function scale(
  request: APIRequestContext,
  low: number,
  high: number
): Promise<void> {
  await api(request, 'put', `endpoints/${ENDPOINT}/autoscaling`, {
    VariantName: 'AllTraffic',
    MinCapacity: low,
    MaxCapacity: high,
    TargetValue: 600,
    PolicyName: 'invocations-per-instance',
    ScaleOutCooldown: 60,
    ScaleInCooldown: 120
  });
}

test('the Autoscaling tab follows instances added and removed', async ({
  page
}) => {
  const request = page.request;
  const folder = await prepare(page);

  await api(request, 'post', 'training-jobs', {
    TrainingJobName: JOB,
    ScriptMode: { EntryPoint: path.join(folder, 'echo.py') },
    ResourceConfig: { InstanceType: 'local', InstanceCount: 1 }
  });
  const trained = await until(
    () => api(request, 'get', `training-jobs/${JOB}`),
    job => job.Status !== 'InProgress'
  );
  expect(trained.Status, trained.FailureReason ?? '').toBe('Completed');
  await api(request, 'post', 'models', {
    ModelName: `${ENDPOINT}-model`,
    PrimaryContainer: {
      ModelDataUrl: trained.Outputs.ModelArtifacts.S3ModelArtifacts,
      Environment: {
        SAGEMAKER_PROGRAM: 'echo.py',
        SAGEMAKER_SUBMIT_DIRECTORY: folder
      }
    }
  });
  await api(request, 'post', 'endpoint-configs', {
    EndpointConfigName: `${ENDPOINT}-config`,
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        ModelName: `${ENDPOINT}-model`,
        InitialInstanceCount: 1,
        InitialVariantWeight: 1
      }
    ]
  });
  await api(request, 'post', 'endpoints', {
    EndpointName: ENDPOINT,
    EndpointConfigName: `${ENDPOINT}-config`
  });
  const served = await until(
    () => api(request, 'get', `endpoints/${ENDPOINT}`),
    endpoint => endpoint.EndpointStatus !== 'Creating'
  );
  expect(served.EndpointStatus, served.FailureReason ?? '').toBe('InService');

  // The view, with no autoscaling yet: the tab says how to add it.
  const sidebar = page.locator('#mlstudio-sidebar');
  if (!(await sidebar.isVisible())) {
    await page
      .locator(
        '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="mlstudio-sidebar"]'
      )
      .click();
  }
  await sidebar
    .locator('#mlstudio-endpoints li', { hasText: ENDPOINT })
    .click();
  const view = page.locator('.jp-mlstudio-EndpointWidget');
  await expect(view.locator('h1')).toHaveText(ENDPOINT);
  const tab = view.locator('[role="tab"][data-tab="autoscaling"]');
  await tab.focus();
  await page.keyboard.press('End');
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  await expect(view.locator('.jp-mlstudio-EmptyState')).toContainText(
    'No scaling policy'
  );

  // Bounds 2..3: the controller adds an instance, the tab shows it come.
  await scale(request, 2, 3);
  await view.getByRole('button', { name: 'Refresh autoscaling' }).click();
  const variant = view.locator(
    '.jp-mlstudio-VariantScaling[data-variant="AllTraffic"]'
  );
  await expect(variant.locator('.jp-mlstudio-VariantScaling-min')).toHaveText(
    '2'
  );
  await expect(variant.locator('.jp-mlstudio-VariantScaling-max')).toHaveText(
    '3'
  );
  await expect(variant.locator('.jp-mlstudio-ScalingPolicy')).toContainText(
    'invocations-per-instance keeps SageMakerVariantInvocationsPerInstance near 600'
  );
  const badges = variant.locator('.jp-mlstudio-InstanceBadge');
  const activities = variant.locator('.jp-mlstudio-ScalingActivities li');
  await expect(activities.first()).toContainText(
    'Setting desired instance count to 2.',
    { timeout: 150_000 }
  );
  await expect(badges).toHaveCount(2, { timeout: 90_000 });
  await expect(
    variant.locator('.jp-mlstudio-InstanceBadge[data-status="Healthy"]')
  ).toHaveCount(2, { timeout: 90_000 });
  await expect(activities.first()).toHaveAttribute(
    'data-status',
    'Successful',
    { timeout: 60_000 }
  );
  await expect(
    variant.locator('.jp-mlstudio-VariantScaling-current')
  ).toHaveText('2');
  await page.screenshot({ path: shot('autoscaling-view') });

  // Bounds 1..1: the controller removes it again; the newest activity first.
  await scale(request, 1, 1);
  await expect(activities).toHaveCount(2, { timeout: 150_000 });
  await expect(activities.first()).toContainText(
    'Setting desired instance count to 1.'
  );
  await expect(activities.nth(1)).toContainText(
    'Setting desired instance count to 2.'
  );
  await expect(badges).toHaveCount(1, { timeout: 90_000 });
  await expect(activities.first()).toHaveAttribute(
    'data-status',
    'Successful',
    { timeout: 60_000 }
  );
  await page.theme.setDarkTheme();
  await expect(
    variant.locator('.jp-mlstudio-VariantScaling-current')
  ).toHaveText('1');
  await page.screenshot({ path: shot('autoscaling-view-dark') });
  await page.theme.setLightTheme();

  await api(request, 'delete', `endpoints/${ENDPOINT}`);
});
