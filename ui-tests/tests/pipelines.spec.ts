/**
 * A real pipeline, created through `POST /mlstudio/api/pipelines` (Prepare →
 * Evaluate, two processing steps running trivial scripts on the test server's runtime
 * (Docker when an engine answers, else the process runtime), then a condition on Evaluate's report: Publish, a third processing step,
 * when the accuracy reaches the Threshold parameter, else TooLow, a Fail step),
 * executed twice: watched in the Pipelines section and the execution view, its nodes
 * turning Succeeded live, a node opening its job, a condition's outcome in the side
 * panel; the second execution (Threshold above the accuracy) fails at TooLow with its
 * message, and takes Prepare from the cache; a third is stopped while Evaluate runs,
 * then retried to success. Screenshots, light and dark.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';

import { api } from './seed';

const API = '/mlstudio/api';
const FOLDER = 'mlstudio-ui-pipelines';
const CODE = '/opt/ml/processing/input/code';
const shot = (name: string) =>
  path.resolve(__dirname, '..', 'screenshots', `${name}.png`);

/** Writes a few rows to its output, slowly enough to be seen running. */
const PREPARE = `import os, time
time.sleep(2)
with open("/opt/ml/processing/output/data/rows.csv", "w") as out:
    out.write("1,0.5\\n0,0.1\\n1,0.9\\n")
print("prepared 3 rows", flush=True)
`;

/** Counts the rows it was given and reports an accuracy of 0.9 (slowly: Stop catches it). */
const EVALUATE = `import json, os, time
time.sleep(4)
rows = open("/opt/ml/processing/input/data/rows.csv").read().split()
with open("/opt/ml/processing/output/evaluation/evaluation.json", "w") as out:
    json.dump({"metrics": {"accuracy": 0.9, "rows": len(rows)}}, out)
print(f"evaluated {len(rows)} rows", flush=True)
`;

const PUBLISH = `print("published", flush=True)
`;

const stamp = Date.now().toString(36);
const PIPELINE = `ui-pipe-${stamp}`;

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

/** Write the scripts into the server's root (code/); answer the folder's absolute path. */
async function prepare(page: IJupyterLabPageFixture): Promise<string> {
  for (const folder of [FOLDER, `${FOLDER}/code`]) {
    await page.request.put(`/api/contents/${folder}`, {
      data: { type: 'directory' }
    });
  }
  // Only the scripts in code/: the cache keys a step by its code folder's content.
  await putFile(page.request, 'code/prepare.py', PREPARE);
  await putFile(page.request, 'code/evaluate.py', EVALUATE);
  await putFile(page.request, 'code/publish.py', PUBLISH);
  const root = await page.evaluate(
    () =>
      JSON.parse(document.getElementById('jupyter-config-data')!.textContent!)
        .serverRoot as string
  );
  return path.join(root.replace(/^~/, os.homedir()), FOLDER);
}

/** A processing step running `script` from the folder, with more inputs and outputs. */
function processingStep(
  name: string,
  folder: string,
  script: string,
  inputs: unknown[] = [],
  outputs: unknown[] = [],
  extra: Record<string, unknown> = {}
): Record<string, unknown> {
  return {
    Name: name,
    Type: 'Processing',
    Arguments: {
      AppSpecification: {
        ContainerEntrypoint: ['python3', `${CODE}/${script}`]
      },
      ProcessingInputs: [
        {
          InputName: 'code',
          S3Input: { S3Uri: path.join(folder, 'code'), LocalPath: CODE }
        },
        ...inputs
      ],
      ProcessingOutputConfig: { Outputs: outputs },
      ProcessingResources: {
        ClusterConfig: { InstanceType: 'local', InstanceCount: 1 }
      }
    },
    ...extra
  };
}

/** Prepare → Evaluate → Check (accuracy ≥ Threshold) → Publish | TooLow. */
function definition(folder: string): string {
  const output = (name: string) => ({
    OutputName: name,
    S3Output: {
      S3Uri: `file://${path.join(folder, 'out', name)}`,
      LocalPath: `/opt/ml/processing/output/${name}`
    }
  });
  const prepareStep = processingStep(
    'Prepare',
    folder,
    'prepare.py',
    [],
    [output('data')],
    { CacheConfig: { Enabled: true, ExpireAfter: 'PT1H' } }
  );
  const evaluateStep = processingStep(
    'Evaluate',
    folder,
    'evaluate.py',
    [
      {
        InputName: 'data',
        S3Input: {
          S3Uri: {
            Get: "Steps.Prepare.ProcessingOutputConfig.Outputs['data'].S3Output.S3Uri"
          },
          LocalPath: '/opt/ml/processing/input/data'
        }
      }
    ],
    [output('evaluation')],
    {
      PropertyFiles: [
        {
          PropertyFileName: 'Report',
          OutputName: 'evaluation',
          FilePath: 'evaluation.json'
        }
      ]
    }
  );
  const check = {
    Name: 'Check',
    Type: 'Condition',
    Arguments: {
      Conditions: [
        {
          Type: 'GreaterThanOrEqualTo',
          LeftValue: {
            'Std:JsonGet': {
              PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.Report' },
              Path: 'metrics.accuracy'
            }
          },
          RightValue: { Get: 'Parameters.Threshold' }
        }
      ],
      IfSteps: [processingStep('Publish', folder, 'publish.py')],
      ElseSteps: [
        {
          Name: 'TooLow',
          Type: 'Fail',
          Arguments: {
            ErrorMessage: {
              'Std:Join': {
                On: ' ',
                Values: [
                  'accuracy below the threshold',
                  { Get: 'Parameters.Threshold' }
                ]
              }
            }
          }
        }
      ]
    }
  };
  return JSON.stringify({
    Version: '2020-12-01',
    Parameters: [{ Name: 'Threshold', Type: 'Float', DefaultValue: 0.5 }],
    Steps: [prepareStep, evaluateStep, check]
  });
}

/** Start an execution; answer its id. */
async function start(
  request: APIRequestContext,
  parameters: { Name: string; Value: unknown }[] = []
): Promise<string> {
  const started = await api(
    request,
    'post',
    `pipelines/${PIPELINE}/executions`,
    {
      PipelineParameters: parameters
    }
  );
  const arn = started.PipelineExecutionArn as string;
  return arn.slice(arn.lastIndexOf('/') + 1);
}

async function pipelinesSection(
  page: IJupyterLabPageFixture
): Promise<Locator> {
  const sidebar = page.locator('#mlstudio-sidebar');
  if (!(await sidebar.isVisible())) {
    await page
      .locator(
        '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="mlstudio-sidebar"]'
      )
      .click();
  }
  const section = sidebar.locator('#mlstudio-pipelines');
  await expect(section).toBeVisible();
  return section;
}

/** Expand the pipeline in the section and open execution `id`. */
async function openExecution(
  page: IJupyterLabPageFixture,
  id: string
): Promise<Locator> {
  const section = await pipelinesSection(page);
  const row = section.locator(`[data-pipeline="${PIPELINE}"]`);
  await expect(row).toBeVisible({ timeout: 30_000 });
  const expand = row.locator('.jp-mlstudio-Expand');
  if ((await expand.getAttribute('aria-expanded')) !== 'true') {
    await expand.click();
  }
  const execution = row.locator(`[data-execution="${id}"] button`);
  await expect(execution).toBeVisible({ timeout: 30_000 });
  await execution.click();
  const view = page.locator(
    `.jp-mlstudio-PipelineView[data-execution="${id}"]`
  );
  await expect(view).toBeVisible();
  return view;
}

const node = (view: Locator, name: string) =>
  view.locator(`.jp-mlstudio-PipelineNode[data-step="${name}"]`);

const STEPS = ['Prepare', 'Evaluate', 'Check', 'Publish', 'TooLow'];

/** Every step is drawn (React Flow hides a node it has not measured). */
async function expectAllVisible(view: Locator): Promise<void> {
  for (const name of STEPS) {
    await expect(node(view, name)).toBeVisible();
  }
}

test('the pipelines section says how pipelines get there', async ({ page }) => {
  // The test server starts with an empty home, and this spec makes the first pipelines.
  const section = await pipelinesSection(page);
  await expect(section.locator('.jp-mlstudio-EmptyState')).toContainText(
    'No pipelines yet'
  );
  await section.screenshot({ path: shot('pipelines-sidebar-empty') });
});

test('an execution runs live in its graph, and a node opens its job', async ({
  page
}) => {
  const folder = await prepare(page);
  await api(page.request, 'post', 'pipelines', {
    PipelineName: PIPELINE,
    PipelineDescription: 'Prepare, evaluate, publish when accurate enough',
    PipelineDefinition: definition(folder)
  });
  const id = await start(page.request);
  const view = await openExecution(page, id);

  // Five steps, with the edges of the Get references and the condition's branches.
  await expect(view.locator('.jp-mlstudio-PipelineNode')).toHaveCount(5);
  await expect(view.locator('.react-flow__edge')).toHaveCount(4);
  await expect(view.locator('.react-flow__edge-text')).toHaveText([
    'true',
    'false'
  ]);
  // Live: Prepare runs first, then the nodes turn Succeeded one by one.
  await expect(node(view, 'Prepare')).toHaveAttribute(
    'data-status',
    /Starting|Executing/,
    { timeout: 30_000 }
  );
  await expect(node(view, 'Evaluate')).toHaveAttribute(
    'data-status',
    'NotStarted'
  );
  await expect(view.locator('header')).toContainText('Executing');
  await expect(view.locator('.jp-mlstudio-StopExecution')).toBeEnabled();
  await expect(view.locator('.jp-mlstudio-RetryExecution')).toBeDisabled();
  await page.screenshot({ path: shot('pipeline-view-live') });

  for (const name of ['Prepare', 'Evaluate', 'Check', 'Publish']) {
    await expect(node(view, name)).toHaveAttribute('data-status', 'Succeeded', {
      timeout: 120_000
    });
  }
  await expect(node(view, 'TooLow')).toHaveAttribute('data-status', 'Skipped');
  await expect(view).toHaveAttribute('data-status', 'Succeeded');
  await expectAllVisible(view);
  await expect(view.locator('header')).toContainText('Succeeded');
  await expect(view.locator('.jp-mlstudio-StopExecution')).toBeDisabled();
  await expect(node(view, 'Check')).toContainText('Outcome: true');
  await expect(view.locator('section[aria-label="Parameters"]')).toContainText(
    'Threshold0.5Float, default'
  );

  // The sidebar follows: the execution succeeded.
  const section = await pipelinesSection(page);
  await expect(
    section.locator(`[data-execution="${id}"] .jp-mlstudio-StatusBadge`)
  ).toHaveText('Succeeded', { timeout: 30_000 });

  // Keyboard: Tab reaches the Check node, Enter shows its details.
  await node(view, 'Check').focus();
  await page.keyboard.press('Enter');
  const panel = view.locator('.jp-mlstudio-PipelineStep');
  await expect(panel).toHaveAttribute('data-step', 'Check');
  await expect(panel).toContainText('true: the If steps run');
  await expect(node(view, 'Check')).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: shot('pipeline-view-succeeded') });

  // A click on a job step opens its job in the job view.
  await node(view, 'Evaluate').click();
  const job = page.locator('.jp-mlstudio-JobView');
  await expect(job).toBeVisible();
  await expect(job).toHaveAttribute(
    'data-job',
    new RegExp(`^pipelines-${id}-Evaluate-`)
  );
  await expect(job.locator('.jp-mlstudio-JobHeader')).toContainText(
    'Completed'
  );
  await page.screenshot({ path: shot('pipeline-step-job') });
});

test('a failing step shows its reason; the cache serves Prepare', async ({
  page
}) => {
  const id = await start(page.request, [{ Name: 'Threshold', Value: 0.95 }]);
  const view = await openExecution(page, id);
  await expect(node(view, 'TooLow')).toHaveAttribute('data-status', 'Failed', {
    timeout: 120_000
  });
  await expect(view).toHaveAttribute('data-status', 'Failed');
  await expectAllVisible(view);
  await expect(node(view, 'TooLow')).toContainText(
    'accuracy below the threshold 0.95'
  );
  await expect(view.locator('.jp-mlstudio-JobFailure').first()).toContainText(
    'accuracy below the threshold 0.95'
  );
  await expect(node(view, 'Publish')).toHaveAttribute('data-status', 'Skipped');
  await expect(node(view, 'Check')).toContainText('Outcome: false');
  await expect(node(view, 'Prepare')).toHaveAttribute('data-cached', 'true');
  await expect(node(view, 'Prepare')).toContainText('cached');
  await expect(node(view, 'Evaluate')).not.toHaveAttribute('data-cached');
  await expect(view.locator('.jp-mlstudio-RetryExecution')).toBeEnabled();
  await expect(view.locator('section[aria-label="Parameters"]')).toContainText(
    'Threshold0.95Float'
  );

  await node(view, 'TooLow').click();
  const panel = view.locator('.jp-mlstudio-PipelineStep');
  await expect(panel).toHaveAttribute('data-step', 'TooLow');
  await expect(panel.locator('[role="alert"]')).toContainText(
    'accuracy below the threshold 0.95'
  );
  await page.screenshot({ path: shot('pipeline-view-failed') });

  await page.theme.setDarkTheme();
  await expect(view.locator('h1')).toHaveText(id);
  await page.screenshot({ path: shot('pipeline-view-dark') });

  // With the other sections collapsed, the section lists both executions.
  const sidebar = page.locator('#mlstudio-sidebar');
  for (const title of [
    'Experiments',
    'Jobs',
    'Tuning',
    'Endpoints',
    'Models'
  ]) {
    await sidebar
      .locator('.lm-AccordionPanel-title', {
        hasText: new RegExp(`^${title}$`, 'i')
      })
      .click();
  }
  const section = await pipelinesSection(page);
  const executions = section.locator('[data-execution]');
  await expect(executions).toHaveCount(2);
  await expect(executions.first()).toHaveAttribute('data-execution', id);
  await expect(executions.first()).toHaveAttribute('data-status', 'Failed');
  await expect(executions.last()).toHaveAttribute('data-status', 'Succeeded');
  await page.screenshot({ path: shot('pipelines-sidebar-dark') });
  await page.theme.setLightTheme();
  await page.screenshot({ path: shot('pipelines-sidebar') });
  for (const title of [
    'Experiments',
    'Jobs',
    'Tuning',
    'Endpoints',
    'Models'
  ]) {
    await sidebar
      .locator('.lm-AccordionPanel-title', {
        hasText: new RegExp(`^${title}$`, 'i')
      })
      .click();
  }
});

test('Stop stops an execution, and Retry runs it again to the end', async ({
  page
}) => {
  const id = await start(page.request);
  const view = await openExecution(page, id);
  await expect(node(view, 'Evaluate')).toHaveAttribute(
    'data-status',
    /Starting|Executing/,
    { timeout: 60_000 }
  );
  await view.locator('.jp-mlstudio-StopExecution').click();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Stop execution' })
    .click();
  await expect(view).toHaveAttribute('data-status', 'Stopped', {
    timeout: 60_000
  });
  await expect(node(view, 'Evaluate')).toHaveAttribute(
    'data-status',
    'Stopped'
  );
  await expect(node(view, 'Check')).toHaveAttribute(
    'data-status',
    'NotStarted'
  );
  await expect(view.locator('.jp-mlstudio-StopExecution')).toBeDisabled();
  const retry = view.locator('.jp-mlstudio-RetryExecution');
  await expect(retry).toBeEnabled();
  await page.screenshot({ path: shot('pipeline-view-stopped') });

  // Keyboard: Retry is a button; Enter presses it.
  await retry.focus();
  await page.keyboard.press('Enter');
  await expect(node(view, 'Evaluate')).toHaveAttribute(
    'data-status',
    /Starting|Executing|Succeeded/,
    { timeout: 30_000 }
  );
  for (const name of ['Prepare', 'Evaluate', 'Check', 'Publish']) {
    await expect(node(view, name)).toHaveAttribute('data-status', 'Succeeded', {
      timeout: 120_000
    });
  }
  await expect(view).toHaveAttribute('data-status', 'Succeeded');
  await expectAllVisible(view);
  await expect(node(view, 'Evaluate')).toContainText('attempt 2');
  await node(view, 'Evaluate').focus();
  await expect(node(view, 'Evaluate')).toHaveAttribute(
    'aria-label',
    /Opens job pipelines-/
  );
  await page.screenshot({ path: shot('pipeline-view-retried') });
});
