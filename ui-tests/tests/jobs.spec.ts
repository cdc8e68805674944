/**
 * Real training jobs, started through `POST /mlstudio/api/training-jobs` (script mode,
 * the process runtime of the test server), watched in the Jobs section and the job
 * view: live status and duration, the log as it grows, metric charts from the
 * metric definitions, the model, a failure reason, Stop. Screenshots, light and dark.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';

const API = '/mlstudio/api';
const FOLDER = 'mlstudio-ui-jobs';
const shot = (name: string) =>
  path.resolve(__dirname, '..', 'screenshots', `${name}.png`);

/** A script-mode training script: epochs of loss/accuracy lines, then a model. */
const TRAIN_SCRIPT = `import argparse, json, os, time

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--delay", type=float, default=0.5)
args, _ = parser.parse_known_args()
train = os.environ.get("SM_CHANNEL_TRAIN")
rows = open(os.path.join(train, "train.csv")).read().split() if train else []
print(f"training on {len(rows)} rows from {train} as {os.environ.get('SM_CURRENT_HOST')}", flush=True)
for epoch in range(args.epochs):
    loss = 1.0 / (1 + args.lr * 10 * epoch)
    print(f"epoch={epoch} loss={loss:.4f} accuracy={1 - loss / 2:.4f}", flush=True)
    time.sleep(args.delay)
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as out:
    json.dump({"lr": args.lr}, out)
print("training done", flush=True)
`;

const FAIL_SCRIPT = `import os

print("reading the data", flush=True)
with open(os.path.join(os.environ["SM_OUTPUT_DIR"], "failure"), "w") as out:
    out.write("ValueError: could not convert string to float: 'n/a'")
raise SystemExit(3)
`;

const SLEEP_SCRIPT = `import time

for i in range(60):
    print(f"warming up {i}", flush=True)
for i in range(600):
    print(f"tick {i}", flush=True)
    time.sleep(0.5)
`;

/** A processing script: copies the rows of its input to its output folder. */
const PREP_SCRIPT = `import argparse, os

parser = argparse.ArgumentParser()
parser.add_argument("--input", default="/opt/ml/processing/input/data")
parser.add_argument("--output", default="/opt/ml/processing/output/clean")
args = parser.parse_args()
rows = 0
with open(os.path.join(args.output, "clean.csv"), "w") as out:
    for name in sorted(os.listdir(args.input)):
        for line in open(os.path.join(args.input, name)):
            out.write(line.strip() + "\\n")
            rows += 1
print(f"rows={rows}", flush=True)
`;

const EPOCHS = 12;
const loss = (epoch: number) => 1 / (1 + 0.1 * 10 * epoch);

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

/** Write the scripts and the data into the server's root, answer its absolute path. */
async function prepare(page: IJupyterLabPageFixture): Promise<string> {
  const request = page.request;
  await request.put(`/api/contents/${FOLDER}`, {
    data: { type: 'directory' }
  });
  await request.put(`/api/contents/${FOLDER}/data`, {
    data: { type: 'directory' }
  });
  await putFile(request, 'train_live.py', TRAIN_SCRIPT);
  await putFile(request, 'fail.py', FAIL_SCRIPT);
  await putFile(request, 'wait.py', SLEEP_SCRIPT);
  await putFile(request, 'prep.py', PREP_SCRIPT);
  await putFile(request, 'data/train.csv', '1,0.5\n0,0.1\n1,0.9\n');
  const root = await page.evaluate(
    () =>
      JSON.parse(document.getElementById('jupyter-config-data')!.textContent!)
        .serverRoot as string
  );
  return path.join(root.replace(/^~/, os.homedir()), FOLDER);
}

async function startJob(
  request: APIRequestContext,
  name: string,
  script: string,
  folder: string,
  hyperParameters: Record<string, string> = {}
): Promise<void> {
  const response = await request.post(`${API}/training-jobs`, {
    data: {
      TrainingJobName: name,
      ScriptMode: { EntryPoint: path.join(folder, script) },
      HyperParameters: hyperParameters,
      AlgorithmSpecification: {
        MetricDefinitions: [
          { Name: 'train:loss', Regex: 'loss=([0-9.]+)' },
          { Name: 'train:accuracy', Regex: 'accuracy=([0-9.]+)' }
        ]
      },
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: {
            S3DataSource: { S3Uri: `file://${path.join(folder, 'data')}` }
          }
        }
      ],
      ResourceConfig: { InstanceType: 'local', InstanceCount: 1 },
      StoppingCondition: { MaxRuntimeInSeconds: 600 }
    }
  });
  expect(response.status(), await response.text()).toBe(201);
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

/** The y values of the plotly chart of `metric` in the job view. */
async function chartValues(
  page: IJupyterLabPageFixture,
  metric: string
): Promise<number[]> {
  return page.evaluate(name => {
    const plot = document.querySelector(
      `.jp-mlstudio-JobWidget .jp-mlstudio-MetricChart [aria-label="${name}"]`
    ) as unknown as { data?: { y: number[] }[] } | null;
    return plot?.data?.[0] ? Array.from(plot.data[0].y) : [];
  }, metric);
}

const stamp = () => Date.now().toString(36);

test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000);
test.use({ viewport: { width: 1400, height: 1000 } });

/** Scroll the job view so that `part` is at its top, or to its very top. */
async function scrollTo(part: Locator | 'top', view?: Locator): Promise<void> {
  if (part === 'top') {
    await view!
      .locator('.jp-mlstudio-ViewContent')
      .evaluate(node => (node.scrollTop = 0));
  } else {
    await part.evaluate(node => node.scrollIntoView({ block: 'start' }));
  }
}

test('a real training job runs live in the sidebar and its view', async ({
  page
}) => {
  const folder = await prepare(page);
  const name = `ui-live-${stamp()}`;
  await startJob(page.request, name, 'train_live.py', folder, {
    epochs: String(EPOCHS),
    lr: '0.1',
    delay: '0.6'
  });

  // The sidebar shows it running, with a duration that counts up.
  const jobs = await jobsSection(page);
  const row = jobs.locator('li', { hasText: name });
  await expect(row.locator('.jp-mlstudio-StatusBadge')).toHaveText(
    'In progress'
  );
  await expect(row.locator('.jp-mlstudio-Row-secondary')).toHaveText(
    'Training',
    { timeout: 20_000 }
  );
  const duration = row.locator('.jp-mlstudio-Row-duration');
  const before = await duration.textContent();
  await expect(duration).not.toHaveText(before ?? '', { timeout: 5000 });
  await page.locator('#mlstudio-sidebar').screenshot({
    path: shot('jobs-sidebar-live')
  });

  // The view follows the log and draws the metrics while the job runs.
  await row.click();
  const view = page.locator('.jp-mlstudio-JobWidget');
  await expect(view.locator('h1')).toHaveText(name);
  await expect(view.locator('.jp-mlstudio-StopJob')).toBeEnabled();
  await expect(view.locator('[aria-label="Hyperparameters"]')).toContainText(
    'epochs'
  );
  await expect(view.locator('.jp-mlstudio-Channels')).toContainText('train');
  const log = view.locator('.jp-mlstudio-LogViewer-scroller');
  await expect(log).toContainText('training on 3 rows');
  await expect(log).toContainText('epoch=3 loss=');
  await expect(view.locator('.jp-mlstudio-LogStatus')).toHaveText('Live');
  await page.waitForFunction(
    () =>
      document.querySelectorAll(
        '.jp-mlstudio-JobWidget .jp-mlstudio-MetricChart .js-plotly-plot'
      ).length === 2
  );
  await scrollTo(view.locator('.jp-mlstudio-JobLogs'));
  await page.screenshot({ path: shot('job-view-live') });
  await scrollTo('top', view);
  await page.screenshot({ path: shot('job-view-live-top') });

  // Search highlights the matching lines.
  await view.locator('.jp-mlstudio-LogViewer-search').fill('epoch=2 ');
  await expect(view.locator('.jp-mlstudio-LogViewer-count')).toHaveText(
    '1 of 1'
  );
  await expect(view.locator('mark')).toHaveText('epoch=2 ');
  await view.locator('.jp-mlstudio-LogViewer-search').fill('');
  await view.locator('.jp-mlstudio-LogViewer-follow').click();

  // It completes: the end of the log, every epoch charted, the model, Stop disabled.
  await expect(view.locator('.jp-mlstudio-StatusBadge').first()).toHaveText(
    'Completed',
    { timeout: 60_000 }
  );
  await expect(view.locator('.jp-mlstudio-LogStatus')).toHaveText(
    'End of log.',
    { timeout: 15_000 }
  );
  await expect(log).toContainText('training done');
  await expect(view.locator('.jp-mlstudio-StopJob')).toBeDisabled();
  await expect(view.locator('[data-artifact="model"]')).toContainText(
    'model.tar.gz'
  );
  // The model downloads through the job's artifacts route (the page's cookie authenticates).
  const download = view.locator('[data-artifact="model"] a[download]');
  await expect(download).toHaveText('Download model.tar.gz');
  const href = (await download.getAttribute('href')) ?? '';
  const bytes = await page.evaluate(async url => {
    const response = await fetch(url);
    return response.ok
      ? (await response.arrayBuffer()).byteLength
      : -response.status;
  }, href);
  expect(bytes).toBeGreaterThan(0);
  await expect(view.locator('.jp-mlstudio-Timeline-step')).not.toHaveCount(0);
  await expect
    .poll(async () => (await chartValues(page, 'train:loss')).length, {
      timeout: 15_000
    })
    .toBe(EPOCHS);
  const values = await chartValues(page, 'train:loss');
  values.forEach((value, epoch) => expect(value).toBeCloseTo(loss(epoch), 4));
  await expect(row.locator('.jp-mlstudio-StatusBadge')).toHaveText('Completed');
  await scrollTo('top', view);
  await page.screenshot({ path: shot('job-view-completed') });
  await scrollTo(view.locator('.jp-mlstudio-JobLogs'));
  await page.screenshot({ path: shot('job-view-completed-logs') });

  await page.theme.setDarkTheme();
  await expect(view.locator('h1')).toHaveText(name);
  // The charts redraw in the theme's colours.
  await page.waitForFunction(() => {
    const plot = document.querySelector(
      '.jp-mlstudio-JobWidget .jp-mlstudio-MetricChart .js-plotly-plot'
    ) as unknown as { _fullLayout?: { paper_bgcolor?: string } } | null;
    const bg = plot?._fullLayout?.paper_bgcolor;
    return !!bg && bg !== 'rgb(255, 255, 255)' && bg !== '#ffffff';
  });
  await scrollTo(view.locator('.jp-mlstudio-JobLogs'));
  await page.screenshot({ path: shot('job-view-dark') });
  await scrollTo('top', view);
  await page.screenshot({ path: shot('job-view-dark-top') });
  await page.theme.setLightTheme();

  // The link opens the job's run.
  await view.locator('.jp-mlstudio-JobHeader-run').click();
  await expect(page.locator('.jp-mlstudio-RunWidget')).toBeVisible();
  await expect(page.locator('.jp-mlstudio-RunWidget')).toContainText(
    'train:loss'
  );
});

test('a failed job shows its failure reason; the filter finds it', async ({
  page
}) => {
  const folder = await prepare(page);
  const name = `ui-fail-${stamp()}`;
  await startJob(page.request, name, 'fail.py', folder);
  const jobs = await jobsSection(page);
  const row = jobs.locator('li', { hasText: name });
  await expect(row.locator('.jp-mlstudio-StatusBadge')).toHaveText('Failed', {
    timeout: 30_000
  });
  await expect(row).toContainText('could not convert string');

  await jobs.locator('.jp-mlstudio-JobFilters-status').selectOption('Failed');
  await expect(jobs.locator('li')).toHaveCount(1);
  await jobs.locator('.jp-mlstudio-JobFilters-status').selectOption('');

  await row.focus();
  await page.keyboard.press('Enter');
  const view = page.locator('.jp-mlstudio-JobWidget', { hasText: name });
  const failure = view.locator('.jp-mlstudio-JobFailure');
  await expect(failure).toContainText(
    "ValueError: could not convert string to float: 'n/a'"
  );
  await expect(view).toContainText('Exit code');
  await expect(view.locator('.jp-mlstudio-LogViewer-scroller')).toContainText(
    'reading the data'
  );
  await expect(view.locator('.jp-mlstudio-StopJob')).toBeDisabled();
  await page.screenshot({ path: shot('job-view-failed') });
  await page.theme.setDarkTheme();
  await expect(failure).toBeVisible();
  await page.screenshot({ path: shot('job-view-failed-dark') });
  await page.theme.setLightTheme();
});

test('Stop asks first, then stops the running job', async ({ page }) => {
  const folder = await prepare(page);
  const name = `ui-stop-${stamp()}`;
  await startJob(page.request, name, 'wait.py', folder);
  const jobs = await jobsSection(page);
  await jobs.locator('li', { hasText: name }).click();
  const view = page.locator('.jp-mlstudio-JobWidget', { hasText: name });
  const log = view.locator('.jp-mlstudio-LogViewer-scroller');
  await expect(log).toContainText('tick 3', { timeout: 20_000 });

  // Scrolling up pauses following; "Follow" resumes it.
  await log.evaluate(node => (node.scrollTop = 0));
  await expect(view.locator('.jp-mlstudio-LogViewer-follow')).toHaveText(
    'Follow'
  );
  await view.locator('.jp-mlstudio-LogViewer-follow').click();
  await expect(view.locator('.jp-mlstudio-LogViewer-follow')).toHaveText(
    'Following'
  );

  await view.locator('.jp-mlstudio-StopJob').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(`Stop job “${name}”?`);
  await dialog.getByRole('button', { name: 'Keep running' }).click();
  await expect(view.locator('.jp-mlstudio-StatusBadge').first()).toHaveText(
    'In progress'
  );
  await view.locator('.jp-mlstudio-StopJob').click();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Stop job' })
    .click();
  await expect(view.locator('.jp-mlstudio-StatusBadge').first()).toHaveText(
    'Stopped',
    { timeout: 30_000 }
  );
  await expect(view.locator('.jp-mlstudio-StopJob')).toBeDisabled();
  await expect(view.locator('.jp-mlstudio-LogStatus')).toHaveText(
    'End of log.',
    { timeout: 15_000 }
  );
  await expect(
    jobs.locator('li', { hasText: name }).locator('.jp-mlstudio-StatusBadge')
  ).toHaveText('Stopped');
  await page.screenshot({ path: shot('job-view-stopped') });
});

test('a processing job: its command, inputs, outputs and log', async ({
  page
}) => {
  const folder = await prepare(page);
  const name = `ui-prep-${stamp()}`;
  const code = '/opt/ml/processing/input/code';
  const response = await page.request.post(`${API}/processing-jobs`, {
    data: {
      ProcessingJobName: name,
      AppSpecification: {
        ContainerEntrypoint: ['python3', `${code}/prep.py`]
      },
      ProcessingInputs: [
        { InputName: 'code', S3Input: { S3Uri: folder, LocalPath: code } },
        {
          InputName: 'data',
          S3Input: {
            S3Uri: `file://${path.join(folder, 'data')}`,
            LocalPath: '/opt/ml/processing/input/data'
          }
        }
      ],
      ProcessingOutputConfig: {
        Outputs: [
          {
            OutputName: 'clean',
            S3Output: { LocalPath: '/opt/ml/processing/output/clean' }
          }
        ]
      }
    }
  });
  expect(response.status(), await response.text()).toBe(201);

  const jobs = await jobsSection(page);
  await jobs
    .locator('.jp-mlstudio-JobFilters-kind')
    .selectOption('ProcessingJob');
  const row = jobs.locator('li', { hasText: name });
  // the filter keeps processing jobs only (other tests' rule evaluation jobs among them)
  await expect(row).toHaveCount(1);
  await expect(jobs.locator('li', { hasText: 'Training job' })).toHaveCount(0);
  await expect(row).toContainText('Processing job');
  await row.click();
  const view = page.locator('.jp-mlstudio-JobWidget', { hasText: name });
  await expect(view.locator('.jp-mlstudio-StatusBadge').first()).toHaveText(
    'Completed',
    { timeout: 60_000 }
  );
  await expect(view).toContainText(`python3 ${code}/prep.py`);
  await expect(view.locator('[aria-label="Inputs"]')).toContainText(
    '/opt/ml/processing/output/clean'
  );
  await expect(view.locator('.jp-mlstudio-LogViewer-scroller')).toContainText(
    'rows=3'
  );
  await expect(view.locator('[data-artifact="clean"]')).toContainText('clean');
  await jobs.locator('.jp-mlstudio-JobFilters-kind').selectOption('');
  await page.screenshot({ path: shot('job-view-processing') });
});

test('a job created through the SageMaker API shows like any other', async ({
  page
}) => {
  // What boto3's create_training_job sends for the SKLearn estimator, in script mode:
  // the scikit-learn image URI (run as the studio's own image) and the code's folder.
  const folder = await prepare(page);
  const name = `ui-boto3-${stamp()}`;
  const image =
    '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
  const response = await page.request.post('/mlstudio/aws', {
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'SageMaker.CreateTrainingJob'
    },
    data: JSON.stringify({
      TrainingJobName: name,
      RoleArn: 'arn:aws:iam::000000000000:role/SageMakerRole',
      AlgorithmSpecification: {
        TrainingImage: image,
        TrainingInputMode: 'File',
        MetricDefinitions: [{ Name: 'train:loss', Regex: 'loss=([0-9.]+)' }]
      },
      HyperParameters: {
        epochs: '3',
        delay: '0.1',
        sagemaker_program: JSON.stringify('train_live.py'),
        sagemaker_submit_directory: JSON.stringify(`file://${folder}`)
      },
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: {
            S3DataSource: {
              S3DataType: 'S3Prefix',
              S3Uri: `file://${path.join(folder, 'data')}`
            }
          }
        }
      ],
      OutputDataConfig: { S3OutputPath: `file://${path.join(folder, 'out')}` },
      ResourceConfig: {
        InstanceType: 'ml.m5.large',
        InstanceCount: 1,
        VolumeSizeInGB: 1
      },
      StoppingCondition: { MaxRuntimeInSeconds: 600 }
    })
  });
  expect(response.status(), await response.text()).toBe(200);
  expect((await response.json()).TrainingJobArn).toBe(
    `arn:aws:sagemaker:us-east-1:000000000000:training-job/${name}`
  );

  const jobs = await jobsSection(page);
  const row = jobs.locator('li', { hasText: name });
  await expect(row.locator('.jp-mlstudio-StatusBadge')).toHaveText(
    'Completed',
    { timeout: 60_000 }
  );
  await row.click();
  const view = page.locator('.jp-mlstudio-JobWidget', { hasText: name });
  await expect(view).toContainText('sagemaker-scikit-learn:1.2-1-cpu-py3');
  await expect(view.locator('.jp-mlstudio-LogViewer-scroller')).toContainText(
    'training done'
  );
  await page.screenshot({ path: shot('job-view-sagemaker-api') });
});
