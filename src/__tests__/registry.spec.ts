jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { ServerConnection } from '@jupyterlab/services';

import { StudioApiError } from '../api/request';
import { deployRequests } from '../models/endpointDeploy';
import {
  deployBlocker,
  groupRow,
  metricsSources,
  ModelGroupsModel,
  nextVersionSort,
  packageDeploySource,
  sortGroupRows,
  sortVersions
} from '../models/registry';
import { ModelGroupModel } from '../models/registryGroup';
import {
  parseReport,
  ReportStore,
  reportLocation,
  reportMetrics,
  underServerRoot
} from '../models/registryReports';
import {
  described,
  EVALUATION,
  group,
  MODEL,
  raw,
  REPORT,
  ROOT,
  summary
} from './registryFixtures';
import { mockApi, mockedRequestAPI, waitFor } from './utils';

const GROUPS = 'model-package-groups';
const CHURN = `${GROUPS}/churn/model-packages`;

describe('model groups in the sidebar', () => {
  let model: ModelGroupsModel;
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    model = new ModelGroupsModel({ standby: 'never' });
  });
  afterEach(() => model.dispose());

  it('counts versions, approved ones and the latest', () => {
    const row = groupRow(group('churn'), [
      summary('churn', 3),
      summary('churn', 2, 'Approved'),
      summary('churn', 1, 'Rejected')
    ]);
    expect(row.versions).toBe(3);
    expect(row.approved).toBe(1);
    expect(row.latest?.ModelPackageVersion).toBe(3);
    expect(groupRow(group('empty'), []).latest).toBeNull();
    expect(groupRow(group('unknown'), null).versions).toBeNull();
  });

  it('sorts groups by their latest activity, then by name', () => {
    const rows = sortGroupRows([
      groupRow(group('old', { CreationTime: '2025-01-01T00:00:00Z' }), [
        summary('old', 9, 'Approved', { CreationTime: '2026-03-01T00:00:00Z' })
      ]),
      groupRow(group('new', { CreationTime: '2026-02-01T00:00:00Z' }), []),
      groupRow(group('also-new', { CreationTime: '2026-02-01T00:00:00Z' }), [])
    ]);
    expect(rows.map(r => r.group.ModelPackageGroupName)).toEqual([
      'old',
      'also-new',
      'new'
    ]);
  });

  it('lists groups with their versions and sends the name filter', async () => {
    const queries: Record<string, unknown>[] = [];
    mockApi({
      [`GET ${GROUPS}`]: (query: Record<string, unknown>) => {
        queries.push(query);
        return {
          ModelPackageGroupSummaryList: [group('churn'), group('fraud')]
        };
      },
      [`GET ${CHURN}`]: {
        ModelPackageSummaryList: [
          summary('churn', 2, 'Approved'),
          summary('churn', 1)
        ]
      },
      [`GET ${GROUPS}/fraud/model-packages`]: { ModelPackageSummaryList: [] }
    });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    const state = model.state as { kind: 'ready'; items: any[] };
    expect(
      state.items.map(r => [r.group.ModelPackageGroupName, r.versions])
    ).toEqual([
      ['churn', 2],
      ['fraud', 0]
    ]);
    expect(state.items[0].latest.ModelApprovalStatus).toBe('Approved');

    model.nameContains = '  chu ';
    await waitFor(() => queries.some(q => q.NameContains === 'chu'));
  });

  it('keeps what it knew of a group whose versions fail to list', async () => {
    let fail = false;
    mockApi({
      [`GET ${GROUPS}`]: { ModelPackageGroupSummaryList: [group('churn')] },
      [`GET ${CHURN}`]: () =>
        fail
          ? new StudioApiError(500, 'Internal', 'boom')
          : { ModelPackageSummaryList: [summary('churn', 1)] }
    });
    model.active = true;
    await waitFor(() => model.state.kind === 'ready');
    fail = true;
    await model.refresh();
    const state = model.state as { kind: 'ready'; items: any[] };
    expect(state.kind).toBe('ready');
    expect(state.items[0].versions).toBe(1);
  });
});

describe('versions: order, metrics and deploying', () => {
  const rows = [
    summary('churn', 1, 'Approved'),
    summary('churn', 3, 'Rejected'),
    summary('churn', 2, 'PendingManualApproval')
  ];
  const versions = (sorted: typeof rows) =>
    sorted.map(r => r.ModelPackageVersion);

  it('sorts by version, registration time and approval status', () => {
    const by = (column: any, descending: boolean) =>
      versions(sortVersions(rows, { column, descending }, r => r));
    expect(by('version', true)).toEqual([3, 2, 1]);
    expect(by('version', false)).toEqual([1, 2, 3]);
    expect(by('created', false)).toEqual([1, 2, 3]);
    // Pending, then approved, then rejected
    expect(by('status', false)).toEqual([2, 1, 3]);
    expect(
      nextVersionSort({ column: 'version', descending: true }, 'version')
    ).toEqual({ column: 'version', descending: false });
    expect(
      nextVersionSort({ column: 'version', descending: true }, 'status')
    ).toEqual({ column: 'status', descending: false });
    expect(
      nextVersionSort({ column: 'status', descending: false }, 'created')
    ).toEqual({ column: 'created', descending: true });
  });

  it('lists the metrics files, model quality first', () => {
    const pkg = described('churn', 1, 'Approved', {
      ModelMetrics: {
        Bias: {
          Report: { ContentType: 'application/json', S3Uri: 's3://b/bias.json' }
        },
        ModelQuality: {
          Statistics: { ContentType: 'application/json', S3Uri: REPORT },
          Constraints: { S3Uri: 's3://b/constraints.json' },
          Broken: 'not a source'
        }
      }
    });
    expect(metricsSources(pkg).map(s => `${s.group}.${s.name}`)).toEqual([
      'ModelQuality.Statistics',
      'ModelQuality.Constraints',
      'Bias.Report'
    ]);
    expect(
      metricsSources(described('churn', 1, 'Approved', { ModelMetrics: null }))
    ).toEqual([]);
  });

  it('maps a version to the deploy source of its first container', () => {
    const pkg = described('churn', 2, 'Approved', {
      InferenceSpecification: {
        Containers: [
          {
            Image: 'mlstudio/sklearn:1.4',
            ModelDataUrl: MODEL,
            Environment: { SAGEMAKER_PROGRAM: 'serve.py' }
          },
          { ModelDataUrl: 's3://other/model.tar.gz' }
        ],
        SupportedRealtimeInferenceInstanceTypes: ['not a type', 'ml.c5.xlarge']
      }
    });
    const source = packageDeploySource(pkg)!;
    expect(source).toEqual({
      kind: 'model-package',
      name: 'churn',
      version: 2,
      container: {
        ModelDataUrl: MODEL,
        Image: 'mlstudio/sklearn:1.4',
        Environment: { SAGEMAKER_PROGRAM: 'serve.py' }
      },
      instanceType: 'ml.c5.xlarge',
      endpointName: 'churn-v2'
    });
    const requests = deployRequests(
      source,
      {
        endpointName: 'churn-live',
        variantName: 'AllTraffic',
        instanceCount: 1,
        captureData: false
      },
      '20260101-000000'
    );
    expect(requests.model).toEqual({
      ModelName: 'churn-live-20260101-000000',
      PrimaryContainer: {
        ModelDataUrl: MODEL,
        Image: 'mlstudio/sklearn:1.4',
        Environment: { SAGEMAKER_PROGRAM: 'serve.py' }
      }
    });
    expect(requests.config.ProductionVariants[0].InstanceType).toBe(
      'ml.c5.xlarge'
    );
    expect(requests.endpoint).toEqual({
      EndpointName: 'churn-live',
      EndpointConfigName: 'churn-live-20260101-000000'
    });

    // Script mode without instance types: the studio's serving on 'local'.
    const plain = packageDeploySource(
      described('a'.repeat(63), 12, 'Approved', {
        InferenceSpecification: { Containers: [{ ModelDataUrl: MODEL }] }
      })
    )!;
    expect(plain.instanceType).toBe('local');
    expect(plain.container).toEqual({ ModelDataUrl: MODEL, Environment: {} });
    expect(plain.endpointName).toBe(`${'a'.repeat(59)}-v12`);
    expect(
      packageDeploySource(
        described('churn', 1, 'Approved', { InferenceSpecification: null })
      )
    ).toBeNull();
  });

  it('deploys approved versions with a model only', () => {
    const pkg = described('churn', 1, 'Approved');
    expect(deployBlocker('Approved', pkg)).toBeNull();
    expect(deployBlocker('PendingManualApproval', pkg)).toBe('pending');
    expect(deployBlocker('Rejected', pkg)).toBe('rejected');
    expect(deployBlocker('Approved', null)).toBe('loading');
    expect(
      deployBlocker(
        'Approved',
        described('churn', 1, 'Approved', {
          InferenceSpecification: { Containers: [{ Environment: {} }] }
        })
      )
    ).toBe('no-model');
  });
});

describe('metrics reports', () => {
  beforeEach(() => mockedRequestAPI.mockReset());

  it('says how each URI is read, if it can be', () => {
    expect(reportLocation(REPORT, ROOT, '')).toEqual({
      kind: 'job',
      job: 'churn-eval',
      path: 'evaluation/evaluation.json'
    });
    expect(
      reportLocation(
        `${ROOT}/runs/r1/20260101T000000000000Z/eval%20report.json`,
        `${ROOT}/`,
        ''
      )
    ).toEqual({ kind: 'run', run: 'r1', path: 'eval report.json' });
    expect(
      reportLocation('file:///srv/lab/reports/eval.json', ROOT, '/srv/lab')
    ).toEqual({
      kind: 'server-file',
      path: 'reports/eval.json'
    });
    expect(
      reportLocation('file:///home/me/lab/eval.json', null, '~/lab')
    ).toEqual({
      kind: 'server-file',
      path: 'eval.json'
    });
    expect(
      reportLocation('s3://bucket/eval.json', ROOT, '/srv/lab')
    ).toBeNull();
    expect(
      reportLocation('file:///etc/eval.json', ROOT, '/srv/lab')
    ).toBeNull();
    expect(reportLocation(`${ROOT}/jobs/j/output`, ROOT, '')).toBeNull();
    expect(underServerRoot('/home/me/labs/x.json', '~/lab')).toBeNull();
    expect(underServerRoot('/srv/lab/x.json', '')).toBeNull();
  });

  it("finds SageMaker's metric values, else every number", () => {
    expect(reportMetrics(EVALUATION)).toEqual([
      {
        name: 'accuracy',
        path: 'binary_classification_metrics.accuracy',
        value: 0.91,
        standardDeviation: 0.01
      },
      { name: 'f1', path: 'binary_classification_metrics.f1', value: 0.88 }
    ]);
    expect(
      reportMetrics({ rmse: 1.5, nested: { r2: 0.7, curve: [1, 2] } })
    ).toEqual([
      { name: 'rmse', path: 'rmse', value: 1.5 },
      { name: 'r2', path: 'nested.r2', value: 0.7 }
    ]);
    expect(parseReport('a,b\n1,2')).toEqual({
      kind: 'ready',
      text: 'a,b\n1,2',
      json: undefined,
      metrics: []
    });
  });

  it('reads a job file (processing, else training), once', async () => {
    const paths: string[] = [];
    mockApi({
      'GET processing-jobs/churn-eval/artifacts/evaluation/evaluation.json':
        () => {
          paths.push('processing');
          return new StudioApiError(404, 'NotFound', 'no such job');
        },
      'GET training-jobs/churn-eval/artifacts/evaluation/evaluation.json':
        () => {
          paths.push('training');
          return raw(JSON.stringify(EVALUATION));
        }
    });
    const store = new ReportStore(async () => ROOT, '');
    const seen: string[] = [];
    store.changed.connect((_, uri) => seen.push(store.get(uri)!.kind));
    await Promise.all([store.load(REPORT), store.load(REPORT)]);
    await store.load(REPORT);
    expect(paths).toEqual(['processing', 'training']);
    expect(seen).toEqual(['loading', 'ready']);
    const report = store.get(REPORT);
    expect(report?.kind === 'ready' && report.metrics[0].value).toBe(0.91);
    store.dispose();
  });

  it('marks URIs it cannot reach, and reads failed ones again when asked', async () => {
    let fail = true;
    mockApi({
      'GET trial-components/r1/artifacts/eval.json': () =>
        fail
          ? new StudioApiError(500, 'Internal', 'disk on fire')
          : raw('{"auc": 0.8}')
    });
    const store = new ReportStore(async () => ROOT, '');
    await store.load('s3://elsewhere/eval.json');
    expect(store.get('s3://elsewhere/eval.json')).toEqual({
      kind: 'unreachable'
    });
    const uri = `${ROOT}/runs/r1/g/eval.json`;
    await store.load(uri);
    expect(store.get(uri)).toEqual({ kind: 'error', message: 'disk on fire' });
    fail = false;
    await store.load(uri); // not again so soon
    expect(store.get(uri)?.kind).toBe('error');
    await store.load(uri, true);
    expect(store.get(uri)?.kind).toBe('ready');
    store.dispose();
  });

  it('reads files under the server root through the contents API', async () => {
    const spy = jest
      .spyOn(ServerConnection, 'makeRequest')
      .mockImplementation(async url =>
        String(url).includes('/api/contents/reports/eval.json')
          ? new Response(JSON.stringify({ content: '{"accuracy": 0.75}' }))
          : new Response(JSON.stringify({ message: 'No file' }), {
              status: 404
            })
      );
    try {
      const store = new ReportStore(async () => null, '/srv/lab');
      await store.load('file:///srv/lab/reports/eval.json');
      const report = store.get('file:///srv/lab/reports/eval.json');
      expect(report?.kind === 'ready' && report.metrics).toEqual([
        { name: 'accuracy', path: 'accuracy', value: 0.75 }
      ]);
      await store.load('file:///srv/lab/missing.json');
      expect(store.get('file:///srv/lab/missing.json')).toEqual({
        kind: 'error',
        message: 'No file'
      });
    } finally {
      spy.mockRestore();
    }
  });
});

describe('a model group for its view', () => {
  let model: ModelGroupModel;
  let calls: string[];
  let patches: unknown[];
  let statuses: Record<number, any>;

  beforeEach(() => {
    mockedRequestAPI.mockReset();
    calls = [];
    patches = [];
    statuses = { 1: 'Approved', 2: 'PendingManualApproval' };
    mockApi({
      [`GET ${GROUPS}/churn`]: group('churn', {
        ModelPackageGroupDescription: 'Churn'
      }),
      [`GET ${CHURN}`]: (query: Record<string, unknown>) => {
        calls.push(`list ${query.ModelApprovalStatus ?? ''}`);
        return {
          ModelPackageSummaryList: [2, 1]
            .map(v => summary('churn', v, statuses[v]))
            .filter(
              s =>
                !query.ModelApprovalStatus ||
                s.ModelApprovalStatus === query.ModelApprovalStatus
            )
        };
      },
      [`GET ${CHURN}/1`]: () => {
        calls.push('describe 1');
        return described('churn', 1, statuses[1]);
      },
      [`GET ${CHURN}/2`]: () => {
        calls.push('describe 2');
        return described('churn', 2, statuses[2]);
      },
      [`PATCH ${CHURN}/2`]: (_: unknown, body: any) => {
        patches.push(body);
        statuses[2] = body.ModelApprovalStatus;
        return described('churn', 2, statuses[2], {
          ApprovalDescription: body.ApprovalDescription ?? null
        });
      },
      [`GET processing-jobs/churn-eval/artifacts/evaluation/evaluation.json`]:
        raw(JSON.stringify(EVALUATION))
    });
    model = new ModelGroupModel('churn', {
      standby: 'never',
      interval: 1000
    });
  });
  afterEach(() => model.dispose());

  it('reads the group and describes each version once', async () => {
    await model.refresh();
    expect(model.state.kind).toBe('ready');
    expect(model.versions.map(v => v.summary.ModelPackageVersion)).toEqual([
      2, 1
    ]);
    expect(model.versions.every(v => v.described !== null)).toBe(true);
    expect(calls.sort()).toEqual(['describe 1', 'describe 2', 'list ']);
    calls = [];
    await model.refresh();
    expect(calls).toEqual(['list ']);
    // Reports are read without a known artifact root: shown as URIs.
    await waitFor(() => model.reports.get(REPORT)?.kind === 'unreachable');
  });

  it('filters by approval status on the server, and sorts', async () => {
    await model.refresh();
    model.approvalFilter = 'Approved';
    expect(model.filterApplied).toBe(false);
    await waitFor(() => model.filterApplied);
    expect(calls).toContain('list Approved');
    expect(model.versions.map(v => v.summary.ModelPackageVersion)).toEqual([1]);
    model.approvalFilter = '';
    await waitFor(() => model.filterApplied && model.versions.length === 2);
    model.sortBy('version');
    expect(model.versions.map(v => v.summary.ModelPackageVersion)).toEqual([
      1, 2
    ]);
  });

  it('approves and rejects a version, with a description', async () => {
    await model.refresh();
    const seen: boolean[] = [];
    model.stateChanged.connect(() => seen.push(model.isUpdating(2)));
    const approved = model.approve(2, '  auc 0.91 ');
    expect(model.isUpdating(2)).toBe(true);
    await approved;
    expect(patches).toEqual([
      { ModelApprovalStatus: 'Approved', ApprovalDescription: 'auc 0.91' }
    ]);
    const row = model.versions.find(v => v.summary.ModelPackageVersion === 2)!;
    expect(row.summary.ModelApprovalStatus).toBe('Approved');
    expect(row.described?.ApprovalDescription).toBe('auc 0.91');
    expect(seen[0]).toBe(true);
    expect(seen[seen.length - 1]).toBe(false);

    await model.reject(2);
    expect(patches[1]).toEqual({ ModelApprovalStatus: 'Rejected' });
    await waitFor(
      () =>
        model.versions.find(v => v.summary.ModelPackageVersion === 2)!.summary
          .ModelApprovalStatus === 'Rejected'
    );
  });

  it('reads a version afresh before deploying it', async () => {
    await model.refresh();
    statuses[1] = 'Rejected';
    const { pkg, source } = await model.deploySource(1);
    expect(pkg.ModelApprovalStatus).toBe('Rejected');
    expect(source?.container.ModelDataUrl).toBe(MODEL);
    expect(
      model.versions.find(v => v.summary.ModelPackageVersion === 1)!.summary
        .ModelApprovalStatus
    ).toBe('Rejected');
  });

  it('reads the reports through the artifact root once it is known', async () => {
    model.dispose();
    const root = { load: async () => undefined, uri: ROOT } as any;
    model = new ModelGroupModel('churn', {
      standby: 'never',
      interval: 1000,
      artifactRoot: root
    });
    await model.refresh();
    await waitFor(() => model.reports.get(REPORT)?.kind === 'ready');
    model.setExpanded(1, true);
    expect(model.isExpanded(1)).toBe(true);
  });

  it('says when the group cannot be read', async () => {
    mockApi({
      [`GET ${GROUPS}/churn`]: new StudioApiError(
        404,
        'NotFound',
        'no group churn'
      ),
      [`GET ${CHURN}`]: new StudioApiError(404, 'NotFound', 'no group churn')
    });
    await model.refresh();
    expect(model.state).toEqual({ kind: 'error', message: 'no group churn' });
  });
});
