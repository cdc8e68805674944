/**
 * A real training job watched by Debugger and profiler rules, started through
 * `POST /mlstudio/api/training-jobs` (script mode, two hosts, on the test server's
 * runtime: run it with MLSTUDIO_RUNTIME=process): its script saves a loss that grows
 * with `jupyter_mlstudio.debugger`'s hook, so LossNotDecreasing finds issues while
 * ExplodingTensor finds none; ProfilerReport writes its report once the job ends. The
 * Jobs section marks the job, the Debugger tab shows the rules and charts the tensors,
 * a rule's evaluation job opens in the job view, the Profiler tab charts both hosts and
 * links the report. Screenshots, light and dark (docs/images: debugger-view.png and
 * profiler-view.png, copied from screenshots/).
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';

import { api, until } from './seed';

const API = '/mlstudio/api';
const FOLDER = 'mlstudio-ui-debugger';
const shot = (name: string) =>
  path.resolve(__dirname, '..', 'screenshots', `${name}.png`);

const JOB = `ui-debug-${Date.now().toString(36)}`;

/**
 * A loop whose loss grows (a learning rate far too large) and whose weights stay
 * finite; a bit of numpy work per step so that the profiler has something to see.
 */
const DIVERGE_SCRIPT = `import time

import numpy as np

from jupyter_mlstudio.debugger import Hook, modes

hook = Hook.create_from_json_file()
rng = np.random.default_rng(7)
w = rng.normal(size=(16, 16)).astype(np.float32)
for step in range(50):
    hook.set_mode(modes.TRAIN)
    a = rng.normal(size=(300, 300))
    for _ in range(20):
        a = np.tanh(a @ a.T / 300)
    w = w * 1.08 + rng.normal(scale=0.01, size=w.shape).astype(np.float32)
    loss = float(0.5 * 1.12 ** step + rng.normal(scale=0.01))
    hook.save_scalar("loss", loss)
    hook.save_tensor("dense/weight", w, "weights")
    hook.save_tensor("dense/gradient", w * 0.08, "gradients")
    if step % 5 == 4:
        hook.set_mode(modes.EVAL)
        hook.save_scalar("val_loss", loss * 1.2)
    hook.next_step()
    print(f"step={step} loss={loss:.4f}", flush=True)
    time.sleep(0.25)
hook.close()
print("training done", flush=True)
`;

/** Write the script into the server's root; answer its absolute path. */
async function prepare(page: IJupyterLabPageFixture): Promise<string> {
  await page.request.put(`/api/contents/${FOLDER}`, {
    data: { type: 'directory' }
  });
  const response = await page.request.put(
    `/api/contents/${FOLDER}/diverge.py`,
    { data: { type: 'file', format: 'text', content: DIVERGE_SCRIPT } }
  );
  expect(response.status(), await response.text()).toBeLessThan(300);
  const root = await page.evaluate(
    () =>
      JSON.parse(document.getElementById('jupyter-config-data')!.textContent!)
        .serverRoot as string
  );
  return path.join(root.replace(/^~/, os.homedir()), FOLDER, 'diverge.py');
}

async function jobsSection(page: IJupyterLabPageFixture): Promise<Locator> {
  const sidebar = page.locator('#mlstudio-sidebar');
  if (!(await sidebar.isVisible())) {
    await page
      .locator(
        '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="mlstudio-sidebar"]'
      )
      .click();
  }
  const jobs = sidebar.locator('#mlstudio-jobs');
  await expect(jobs).toBeVisible();
  return jobs;
}

/** The traces of a chart in the job view, by its aria-label. */
async function traces(
  page: IJupyterLabPageFixture,
  selector: string
): Promise<{ name: string; y: (number | null)[] }[]> {
  return page.evaluate(css => {
    const plot = document.querySelector(css) as unknown as {
      data?: { name: string; y: (number | null)[] }[];
    } | null;
    return plot?.data
      ? plot.data.map(trace => ({ name: trace.name, y: Array.from(trace.y) }))
      : [];
  }, selector);
}

const statusOf = (job: any, list: string, rule: string) =>
  (job.Outputs?.[list] ?? []).find(
    (entry: any) => entry.RuleConfigurationName === rule
  )?.RuleEvaluationStatus;

test.describe.configure({ mode: 'serial' });
test.setTimeout(240_000);
test.use({ viewport: { width: 1400, height: 1000 } });

test('a training job with Debugger and profiler rules: its tabs, badge and report', async ({
  page
}) => {
  const script = await prepare(page);
  await api(page.request, 'post', 'training-jobs', {
    TrainingJobName: JOB,
    ScriptMode: { EntryPoint: script },
    AlgorithmSpecification: {
      MetricDefinitions: [{ Name: 'train:loss', Regex: 'loss=([0-9.]+)' }]
    },
    ResourceConfig: { InstanceType: 'local', InstanceCount: 2 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
    DebugHookConfig: {
      CollectionConfigurations: [
        {
          CollectionName: 'losses',
          CollectionParameters: { save_interval: '1' }
        },
        {
          CollectionName: 'weights',
          CollectionParameters: { save_interval: '2' }
        },
        {
          CollectionName: 'gradients',
          CollectionParameters: { save_interval: '2' }
        }
      ]
    },
    DebugRuleConfigurations: [
      {
        RuleConfigurationName: 'LossNotDecreasing',
        RuleParameters: { rule_to_invoke: 'LossNotDecreasing', num_steps: '10' }
      },
      {
        RuleConfigurationName: 'ExplodingTensor',
        RuleParameters: { rule_to_invoke: 'ExplodingTensor' }
      }
    ],
    ProfilerConfig: { ProfilingIntervalInMilliseconds: 200 },
    ProfilerRuleConfigurations: [
      {
        RuleConfigurationName: 'ProfilerReport',
        RuleParameters: { rule_to_invoke: 'ProfilerReport' }
      }
    ]
  });

  // The Jobs section marks the job once LossNotDecreasing found issues.
  const jobs = await jobsSection(page);
  const row = jobs.locator(`li[aria-label^="${JOB}, Training job"]`);
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row.locator('.jp-mlstudio-Row-issues')).toHaveText(
    '1 issue(s)',
    { timeout: 90_000 }
  );
  await expect(row.locator('.jp-mlstudio-Row-issues')).toHaveAttribute(
    'title',
    'Issues found by LossNotDecreasing'
  );
  await row.click();

  const view = page.locator('.jp-mlstudio-JobWidget');
  await expect(view.locator('h1')).toHaveText(JOB);
  const debuggerTab = view.locator('[role="tab"][data-tab="debugger"]');
  await expect(debuggerTab.locator('.jp-mlstudio-RuleIssues')).toHaveText('1');
  // keyboard: focus the Overview tab, then the arrow key selects the Debugger tab
  await view.locator('[role="tab"][data-tab="overview"]').focus();
  await page.keyboard.press('ArrowRight');
  await expect(debuggerTab).toHaveAttribute('aria-selected', 'true');
  await expect(debuggerTab).toBeFocused();

  const rules = view.locator('.jp-mlstudio-RulesTable');
  const loss = rules.locator('tr[data-rule="LossNotDecreasing"]');
  await expect(loss).toHaveAttribute('data-status', 'IssuesFound');
  await expect(loss.locator('.jp-mlstudio-StatusBadge')).toHaveText(
    'Issues found'
  );
  await expect(loss.locator('.jp-mlstudio-RulesTable-details')).not.toBeEmpty();

  // The loss is charted without asking; its values grow.
  const lossChart =
    '.jp-mlstudio-JobWidget .jp-mlstudio-TensorChart[data-tensor="loss"] .js-plotly-plot';
  await expect(page.locator(lossChart)).toBeVisible({ timeout: 20_000 });
  await expect
    .poll(async () => (await traces(page, lossChart))[0]?.y.length ?? 0)
    .toBeGreaterThan(5);
  const lossValues = (await traces(page, lossChart))[0].y as number[];
  expect(lossValues[lossValues.length - 1]).toBeGreaterThan(lossValues[0]);
  // an array: its mean inside the min–max band
  await view
    .locator('.jp-mlstudio-TensorList-item[data-tensor="dense/weight"] input')
    .check();
  const weightChart =
    '.jp-mlstudio-JobWidget .jp-mlstudio-TensorChart[data-tensor="dense/weight"] .js-plotly-plot';
  await expect(page.locator(weightChart)).toBeVisible({ timeout: 20_000 });
  await expect
    .poll(async () => (await traces(page, weightChart)).map(t => t.name))
    .toEqual(['min', 'min–max', 'mean', 'norm']);

  // The job ends; ExplodingTensor found nothing (the weights stay finite).
  const described = await until(
    () => api(page.request, 'get', `training-jobs/${JOB}`),
    job =>
      job.Status !== 'InProgress' &&
      statusOf(job, 'DebugRuleEvaluationStatuses', 'ExplodingTensor') !==
        'InProgress' &&
      statusOf(job, 'ProfilerRuleEvaluationStatuses', 'ProfilerReport') !==
        'InProgress'
  );
  expect(described.Status, described.FailureReason ?? '').toBe('Completed');
  expect(
    statusOf(described, 'DebugRuleEvaluationStatuses', 'ExplodingTensor')
  ).toBe('NoIssuesFound');
  await expect(
    rules.locator('tr[data-rule="ExplodingTensor"] .jp-mlstudio-StatusBadge')
  ).toHaveText('No issues found', { timeout: 20_000 });
  await expect(view.locator('.jp-mlstudio-StatusBadge').first()).toHaveText(
    'Completed'
  );
  await page.screenshot({ path: shot('debugger-view') });
  await page.theme.setDarkTheme();
  await expect(page.locator(lossChart)).toBeVisible();
  await page.screenshot({ path: shot('debugger-view-dark') });
  await page.theme.setLightTheme();

  // The Profiler tab: a chart per figure with a line per host, the report.
  await view.locator('[role="tab"][data-tab="profiler"]').click();
  const cpuChart =
    '.jp-mlstudio-JobWidget .jp-mlstudio-ProfilerChart[data-figure="cpu"] .js-plotly-plot';
  await expect(page.locator(cpuChart)).toBeVisible({ timeout: 20_000 });
  await expect
    .poll(async () => (await traces(page, cpuChart)).map(t => t.name).sort())
    .toEqual(['algo-1', 'algo-2']);
  await expect(
    view.locator('.jp-mlstudio-ProfilerChart[data-figure="memory"]')
  ).toBeVisible();
  await expect(
    view.locator('.jp-mlstudio-RulesTable tr[data-rule="ProfilerReport"]')
  ).not.toHaveAttribute('data-status', 'InProgress');
  const report = view.locator('a.jp-mlstudio-ProfilerReport');
  await expect(report).toBeVisible({ timeout: 20_000 });
  await expect(report).toHaveAttribute('target', '_blank');
  const href = (await report.getAttribute('href'))!;
  const html = await page.request.get(href);
  expect(html.status()).toBe(200);
  expect(html.headers()['content-type']).toContain('text/html');
  expect(await html.text()).toContain(JOB);
  await page.screenshot({ path: shot('profiler-view') });
  await page.theme.setDarkTheme();
  await expect(page.locator(cpuChart)).toBeVisible();
  await page.screenshot({ path: shot('profiler-view-dark') });
  await page.theme.setLightTheme();

  // A rule's evaluation job opens in the job view (a processing job).
  await view.locator('[role="tab"][data-tab="debugger"]').click();
  const ruleJob = rules.locator(
    'tr[data-rule="LossNotDecreasing"] .jp-mlstudio-RulesTable-job'
  );
  const ruleJobName = (await ruleJob.textContent())!;
  await ruleJob.click();
  const ruleView = page.locator(
    `.jp-mlstudio-JobWidget .jp-mlstudio-JobView[data-job="${ruleJobName}"]`
  );
  await expect(ruleView.locator('h1')).toHaveText(ruleJobName);
  await expect(ruleView.locator('.jp-mlstudio-JobHeader-detail')).toContainText(
    'Processing job'
  );
});
