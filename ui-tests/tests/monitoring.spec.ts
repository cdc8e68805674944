/**
 * Model Monitor on a real endpoint of the test server's process runtime, set up through
 * the REST API as the SDK sends it: a tiny scikit-learn model trained by a training
 * job, deployed with data capture; a baseline (a processing job of the analyzer) from
 * a CSV of integers; normal traffic and a one-time (NOW) schedule over it, which finds
 * nothing; then shifted traffic (x1 far above the baseline's range, x2 fractional) and
 * a second NOW schedule, which finds a baseline_drift_check and a data_type_check. The
 * Endpoints section marks the endpoint; its Monitoring tab shows both schedules, their
 * executions, the violations and the charts of a feature; an execution's processing
 * job opens in the job view. Screenshots, light and dark (docs/images:
 * monitoring-view.png, copied from screenshots/).
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';

import { api, until } from './seed';

const API = '/mlstudio/api';
const FOLDER = 'mlstudio-ui-monitoring';
const ANALYZER_IMAGE = 'mlstudio/model-monitor-analyzer';
const shot = (name: string) =>
  path.resolve(__dirname, '..', 'screenshots', `${name}.png`);

const stamp = Date.now().toString(36);
const JOB = `ui-mon-train-${stamp}`;
const ENDPOINT = `ui-mon-${stamp}`;
const BASELINE = `ui-mon-baseline-${stamp}`;
const NORMAL = `ui-mon-normal-${stamp}`;
const SHIFTED = `ui-mon-shifted-${stamp}`;
const HOURLY = `ui-mon-hourly-${stamp}`;

/** Trains a logistic regression on (label, x1, x2) rows; the model server loads it. */
const TRAIN_SCRIPT = `import os

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression

if __name__ == "__main__":
    train = os.environ["SM_CHANNEL_TRAIN"]
    data = np.loadtxt(os.path.join(train, "train.csv"), delimiter=",")
    model = LogisticRegression().fit(data[:, 1:], data[:, 0])
    joblib.dump(model, os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))
`;

/** Integers 0..9 in both columns: what the endpoint normally receives. */
const normalRow = (i: number) => [i % 10, (i * 7 + 3) % 10];
/** x1 far above the baseline's range, x2 fractional where it was integral. */
const shiftedRow = (i: number) => [30 + (i % 10), ((i * 7 + 3) % 10) + 0.5];

const ROWS = Array.from({ length: 200 }, (_, i) => normalRow(i));
const TRAIN_CSV = ROWS.map(([x1, x2]) => `${x1 > x2 ? 1 : 0},${x1},${x2}`).join(
  '\n'
);
const BASELINE_CSV = ['x1,x2', ...ROWS.map(row => row.join(','))].join('\n');

test.describe.configure({ mode: 'serial' });
test.setTimeout(300_000);
test.use({ viewport: { width: 1400, height: 1150 } });

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
  for (const folder of ['data', 'baseline']) {
    await request.put(`/api/contents/${FOLDER}/${folder}`, {
      data: { type: 'directory' }
    });
  }
  await putFile(request, 'train_clf.py', TRAIN_SCRIPT);
  await putFile(request, 'data/train.csv', TRAIN_CSV);
  await putFile(request, 'baseline/baseline.csv', BASELINE_CSV);
  const root = await page.evaluate(
    () =>
      JSON.parse(document.getElementById('jupyter-config-data')!.textContent!)
        .serverRoot as string
  );
  return path.join(root.replace(/^~/, os.homedir()), FOLDER);
}

/** Send one CSV row per request; wait until the capture holds them all. */
async function traffic(
  request: APIRequestContext,
  rows: number[][],
  captured: number
): Promise<void> {
  for (const row of rows) {
    const response = await request.post(
      `${API}/endpoints/${ENDPOINT}/invocations`,
      { data: row.join(','), headers: { 'Content-Type': 'text/csv' } }
    );
    expect(response.status(), await response.text()).toBe(200);
  }
  await until(
    () => api(request, 'get', `endpoints/${ENDPOINT}/captures?MaxResults=200`),
    answer => (answer.Records ?? []).length >= captured,
    60_000
  );
}

/** A schedule over the endpoint's captured requests, as the SDK sends it. */
async function createSchedule(
  request: APIRequestContext,
  name: string,
  folder: string,
  baseline: string,
  scheduleConfig: Record<string, string>
): Promise<void> {
  await api(request, 'post', 'monitoring-schedules', {
    MonitoringScheduleName: name,
    MonitoringScheduleConfig: {
      ScheduleConfig: scheduleConfig,
      MonitoringJobDefinition: {
        BaselineConfig: {
          ConstraintsResource: { S3Uri: `${baseline}/constraints.json` },
          StatisticsResource: { S3Uri: `${baseline}/statistics.json` }
        },
        MonitoringInputs: [
          {
            EndpointInput: {
              EndpointName: ENDPOINT,
              LocalPath: '/opt/ml/processing/input/endpoint'
            }
          }
        ],
        MonitoringOutputConfig: {
          MonitoringOutputs: [
            {
              S3Output: {
                S3Uri: `file://${path.join(folder, 'monitoring')}`,
                LocalPath: '/opt/ml/processing/output',
                S3UploadMode: 'EndOfJob'
              }
            }
          ]
        },
        MonitoringResources: {
          ClusterConfig: {
            InstanceCount: 1,
            InstanceType: 'local',
            VolumeSizeInGB: 1
          }
        },
        MonitoringAppSpecification: { ImageUri: ANALYZER_IMAGE },
        StoppingCondition: { MaxRuntimeInSeconds: 600 },
        Environment: { publish_cloudwatch_metrics: 'Disabled' }
      },
      MonitoringType: 'DataQuality'
    }
  });
}

/** A one-time schedule over the last hour's captured requests; its execution. */
async function runNow(
  request: APIRequestContext,
  name: string,
  folder: string,
  baseline: string
): Promise<any> {
  await createSchedule(request, name, folder, baseline, {
    ScheduleExpression: 'NOW',
    DataAnalysisStartTime: '-PT1H',
    DataAnalysisEndTime: '-PT0H'
  });
  const { MonitoringExecutionSummaries: executions } = await until(
    () =>
      api(
        request,
        'get',
        `monitoring-executions?MonitoringScheduleName=${name}`
      ),
    answer =>
      (answer.MonitoringExecutionSummaries ?? []).some((e: any) =>
        ['Completed', 'CompletedWithViolations', 'Failed', 'Stopped'].includes(
          e.MonitoringExecutionStatus
        )
      )
  );
  return executions[0];
}

async function endpointsSection(
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
  const section = sidebar.locator('#mlstudio-endpoints');
  await expect(section).toBeVisible();
  return section;
}

/** The traces of a chart, by its CSS selector. */
async function traces(
  page: IJupyterLabPageFixture,
  selector: string
): Promise<{ name: string; y: number[] }[]> {
  return page.evaluate(css => {
    const plot = document.querySelector(css) as unknown as {
      data?: { name: string; y: number[] }[];
    } | null;
    return plot?.data
      ? plot.data.map(trace => ({ name: trace.name, y: Array.from(trace.y) }))
      : [];
  }, selector);
}

test('an endpoint watched by Model Monitor: schedules, violations, charts', async ({
  page
}) => {
  const request = page.request;
  const folder = await prepare(page);

  // A model, deployed with data capture.
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
  await api(request, 'post', 'models', {
    ModelName: `${ENDPOINT}-model`,
    PrimaryContainer: {
      ModelDataUrl: trained.Outputs.ModelArtifacts.S3ModelArtifacts,
      Environment: {
        SAGEMAKER_PROGRAM: 'train_clf.py',
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
    ],
    DataCaptureConfig: {
      EnableCapture: true,
      InitialSamplingPercentage: 100,
      DestinationS3Uri: `file://${path.join(folder, 'capture')}`
    }
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

  // The baseline: the analyzer over the CSV, as suggest_baseline sends it.
  const input = '/opt/ml/processing/input/baseline_dataset_input';
  await api(request, 'post', 'processing-jobs', {
    ProcessingJobName: BASELINE,
    AppSpecification: { ImageUri: ANALYZER_IMAGE },
    ProcessingInputs: [
      {
        InputName: 'baseline_dataset_input',
        S3Input: {
          S3Uri: `file://${path.join(folder, 'baseline')}`,
          LocalPath: input
        }
      }
    ],
    ProcessingOutputConfig: {
      Outputs: [
        {
          OutputName: 'monitoring_output',
          S3Output: {
            S3Uri: `file://${path.join(folder, 'baseline-output')}`,
            LocalPath: '/opt/ml/processing/output',
            S3UploadMode: 'EndOfJob'
          }
        }
      ]
    },
    ProcessingResources: {
      ClusterConfig: {
        InstanceCount: 1,
        InstanceType: 'local',
        VolumeSizeInGB: 1
      }
    },
    Environment: {
      dataset_format: JSON.stringify({
        csv: { header: true, output_columns_position: 'START' }
      }),
      dataset_source: input,
      output_path: '/opt/ml/processing/output',
      publish_cloudwatch_metrics: 'Disabled'
    }
  });
  const baselined = await until(
    () => api(request, 'get', `processing-jobs/${BASELINE}`),
    job => !['InProgress', 'Stopping'].includes(job.Status)
  );
  expect(baselined.Status, baselined.FailureReason ?? '').toBe('Completed');
  const baseline = `file://${path.join(folder, 'baseline-output')}`;

  // Normal traffic: the first one-time schedule finds nothing.
  await traffic(
    request,
    Array.from({ length: 30 }, (_, i) => normalRow(i * 3 + 1)),
    30
  );
  const normal = await runNow(request, NORMAL, folder, baseline);
  expect(normal.MonitoringExecutionStatus, normal.FailureReason ?? '').toBe(
    'Completed'
  );
  expect(normal.ViolationCount).toBe(0);

  // Shifted traffic: the second finds drift in x1 and a type change in x2.
  await traffic(
    request,
    Array.from({ length: 60 }, (_, i) => shiftedRow(i)),
    90
  );
  const shifted = await runNow(request, SHIFTED, folder, baseline);
  expect(shifted.MonitoringExecutionStatus, shifted.FailureReason ?? '').toBe(
    'CompletedWithViolations'
  );
  expect(shifted.ViolationCount).toBeGreaterThanOrEqual(2);

  // The Endpoints section marks the endpoint, with a tooltip.
  const endpoints = await endpointsSection(page);
  const row = endpoints.locator('li', { hasText: ENDPOINT });
  const badge = row.locator('.jp-mlstudio-ViolationsBadge');
  await expect(badge).toHaveText(`${shifted.ViolationCount} violations`, {
    timeout: 30_000
  });
  await expect(badge).toHaveAttribute(
    'title',
    new RegExp(`^Monitoring schedule ${SHIFTED}: its latest execution`)
  );
  await expect(row).toHaveAttribute(
    'aria-label',
    `${ENDPOINT}, In service, monitoring found violations`
  );

  // The endpoint view, by keyboard: Enter opens it, the arrow key its Monitoring tab.
  await row.focus();
  await page.keyboard.press('Enter');
  const view = page.locator(`#mlstudio-endpoint-${ENDPOINT}`);
  await expect(view.locator('h1')).toHaveText(ENDPOINT);
  await view.locator('[role="tab"][data-tab="overview"]').focus();
  await page.keyboard.press('ArrowRight');
  const monitoringTab = view.locator('[role="tab"][data-tab="monitoring"]');
  await expect(monitoringTab).toHaveAttribute('aria-selected', 'true');
  await expect(monitoringTab).toBeFocused();

  // Both schedules: one-time runs, done; the newest shown.
  const tab = view.locator('.jp-mlstudio-MonitoringTab');
  const schedules = tab.locator('.jp-mlstudio-SchedulesTable tbody tr');
  await expect(schedules).toHaveCount(2, { timeout: 20_000 });
  const shiftedRowLocator = tab.locator(`tr[data-schedule="${SHIFTED}"]`);
  await expect(shiftedRowLocator).toContainText('DataQuality');
  await expect(shiftedRowLocator).toContainText('One-time run');
  await expect(shiftedRowLocator).toContainText('Completed with violations');
  await expect(tab.locator(`tr[data-schedule="${NORMAL}"]`)).toContainText(
    'Completed'
  );
  await expect(
    shiftedRowLocator.locator('.jp-mlstudio-SchedulesTable-name')
  ).toHaveAttribute('aria-pressed', 'true');
  // a one-time run that ran has nothing to stop
  await expect(
    shiftedRowLocator.locator('.jp-mlstudio-ScheduleStop')
  ).toHaveCount(0);

  // The executions, with their violation counts.
  const executions = tab.locator('.jp-mlstudio-ExecutionsTable');
  const shiftedExecution = executions.locator(
    `tr[data-job="${shifted.ProcessingJobName}"]`
  );
  await expect(shiftedExecution).toHaveAttribute(
    'data-status',
    'CompletedWithViolations'
  );
  await expect(shiftedExecution.locator('.jp-mlstudio-Number')).toHaveText(
    String(shifted.ViolationCount)
  );
  await expect(
    executions.locator(
      `tr[data-job="${normal.ProcessingJobName}"] .jp-mlstudio-Number`
    )
  ).toHaveText('0');

  // The violations of the shifted window.
  const violations = tab.locator('.jp-mlstudio-ViolationsTable');
  await expect(
    violations.locator(
      'tr[data-check="baseline_drift_check"][data-feature="x1"]'
    )
  ).toHaveCount(1);
  await expect(
    violations.locator('tr[data-check="data_type_check"][data-feature="x2"]')
  ).toHaveCount(1);

  // Per feature: x1 drifted, charted first: the two distributions and the distance.
  const x1 = tab.locator('.jp-mlstudio-FeaturesTable tr[data-feature="x1"]');
  await expect(x1).toHaveAttribute('data-drifted', 'true');
  await expect(tab.locator('.jp-mlstudio-FeatureCharts')).toHaveAttribute(
    'data-feature',
    'x1'
  );
  const histogram =
    '.jp-mlstudio-MonitoringTab .jp-mlstudio-MonitoringChart[data-chart="distribution"] .js-plotly-plot';
  const drift =
    '.jp-mlstudio-MonitoringTab .jp-mlstudio-MonitoringChart[data-chart="drift"] .js-plotly-plot';
  await expect(page.locator(histogram)).toBeVisible({ timeout: 20_000 });
  await expect(page.locator(drift)).toBeVisible();
  await expect
    .poll(async () => (await traces(page, histogram)).map(t => t.name))
    .toEqual(['baseline', 'window']);
  await expect
    .poll(async () => (await traces(page, drift))[0]?.y.length ?? 0)
    .toBe(1);
  const threshold = await page.evaluate(css => {
    const plot = document.querySelector(css) as unknown as {
      layout?: { shapes?: { y0: number }[] };
    } | null;
    return plot?.layout?.shapes?.[0]?.y0 ?? null;
  }, drift);
  expect(threshold).not.toBeNull();
  const [distance] = (await traces(page, drift))[0].y;
  expect(distance).toBeGreaterThan(threshold!);

  await view
    .locator('.jp-mlstudio-ViewContent')
    .evaluate(node => (node.scrollTop = 0));
  await page.screenshot({ path: shot('monitoring-view') });
  await tab.locator('.jp-mlstudio-MonitoringReport').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('monitoring-view-report') });
  await page.theme.setDarkTheme();
  await expect(page.locator(histogram)).toBeVisible();
  await page.waitForFunction(css => {
    const plot = document.querySelector(css) as unknown as {
      _fullLayout?: { paper_bgcolor?: string };
    } | null;
    const bg = plot?._fullLayout?.paper_bgcolor;
    return !!bg && bg !== 'rgb(255, 255, 255)' && bg !== '#ffffff';
  }, histogram);
  await page.screenshot({ path: shot('monitoring-view-dark') });
  await page.theme.setLightTheme();

  // The normal schedule's report: no violations.
  await tab
    .locator(`tr[data-schedule="${NORMAL}"] .jp-mlstudio-SchedulesTable-name`)
    .click();
  await expect(tab.locator('.jp-mlstudio-MonitoringNoViolations')).toBeVisible({
    timeout: 20_000
  });

  // An hourly schedule: when it runs next; stopped and started from the tab.
  await createSchedule(request, HOURLY, folder, baseline, {
    ScheduleExpression: 'cron(0 * ? * * *)'
  });
  const hourly = tab.locator(`tr[data-schedule="${HOURLY}"]`);
  await expect(hourly).toContainText('Hourly', { timeout: 20_000 });
  await expect(hourly).toHaveAttribute('data-status', 'Scheduled', {
    timeout: 20_000
  });
  await expect(
    hourly.locator('.jp-mlstudio-SchedulesTable-next time')
  ).toHaveText(/^in (\d+ minutes?|\d+ seconds?|1 hour)$/);
  await hourly.locator('.jp-mlstudio-ScheduleStop').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(`Stop monitoring schedule “${HOURLY}”?`);
  await dialog.getByRole('button', { name: 'Stop schedule' }).click();
  await expect(hourly).toHaveAttribute('data-status', 'Stopped', {
    timeout: 20_000
  });
  await expect(hourly.locator('.jp-mlstudio-SchedulesTable-next')).toHaveText(
    '—'
  );
  await hourly.locator('.jp-mlstudio-ScheduleStart').click();
  await expect(hourly).toHaveAttribute('data-status', 'Scheduled', {
    timeout: 20_000
  });
  await api(request, 'delete', `monitoring-schedules/${HOURLY}`);
  await expect(hourly).toHaveCount(0, { timeout: 20_000 });

  // An execution's processing job opens in the job view.
  await shiftedExecution.locator('.jp-mlstudio-ExecutionsTable-job').click();
  const jobView = page.locator(
    `.jp-mlstudio-JobWidget .jp-mlstudio-JobView[data-job="${shifted.ProcessingJobName}"]`
  );
  await expect(jobView.locator('h1')).toHaveText(shifted.ProcessingJobName);
  await expect(jobView.locator('.jp-mlstudio-JobHeader-detail')).toContainText(
    'Processing job'
  );

  await api(request, 'delete', `monitoring-schedules/${NORMAL}`);
  await api(request, 'delete', `monitoring-schedules/${SHIFTED}`);
  await api(request, 'delete', `endpoints/${ENDPOINT}`);
});
