jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import React from 'react';

import { StudioApiError } from '../api/request';
import { ModelGroupsModel } from '../models/registry';
import { ModelGroupModel } from '../models/registryGroup';
import { ModelGroupView, ModelGroupWidget } from '../widgets/modelGroupView';
import { createModelGroupsWidget } from '../widgets/modelGroups';
import { endpointSummary } from './endpointFixtures';
import {
  described,
  EVALUATION,
  group,
  MODEL,
  raw,
  ROOT,
  summary
} from './registryFixtures';
import { Answer, mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: Element | null) => node?.textContent ?? '';
const GROUPS = 'model-package-groups';
const CHURN = `${GROUPS}/churn/model-packages`;

function setValue(node: HTMLInputElement | HTMLSelectElement, value: string) {
  const proto = Object.getPrototypeOf(node);
  Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(node, value);
  node.dispatchEvent(
    new Event(node instanceof HTMLSelectElement ? 'change' : 'input', {
      bubbles: true
    })
  );
}

function button(root: Element, label: string): HTMLButtonElement {
  const found = Array.from(root.querySelectorAll('button')).find(
    b => b.textContent?.trim() === label
  );
  if (!found) {
    throw new Error(`No button ${label}`);
  }
  return found;
}

/** The dialog on screen, once its body (`inside`) has rendered. */
async function dialog(inside: string): Promise<HTMLElement> {
  await waitFor(
    () => !!document.querySelector(`.jp-Dialog .jp-Dialog-body ${inside}`)
  );
  return document.querySelector('.jp-Dialog') as HTMLElement;
}

describe('the Models section', () => {
  let model: ModelGroupsModel;
  let widget: Widget | null = null;
  beforeEach(() => {
    mockedRequestAPI.mockReset();
    model = new ModelGroupsModel({ standby: 'never' });
  });
  afterEach(() => {
    widget?.dispose();
    widget = null;
    model.dispose();
  });

  function show(onOpen?: (name: string) => void): HTMLElement {
    widget = createModelGroupsWidget(
      model,
      trans,
      onOpen && { openModelGroup: onOpen }
    );
    Widget.attach(widget, document.body);
    model.active = true;
    return widget.node;
  }

  it('lists groups with their versions, latest approval and description', async () => {
    mockApi({
      [`GET ${GROUPS}`]: {
        ModelPackageGroupSummaryList: [
          group('churn', { ModelPackageGroupDescription: 'Who leaves' }),
          group('fraud')
        ]
      },
      [`GET ${CHURN}`]: {
        ModelPackageSummaryList: [
          summary('churn', 3),
          summary('churn', 2, 'Approved'),
          summary('churn', 1, 'Rejected')
        ]
      },
      [`GET ${GROUPS}/fraud/model-packages`]: { ModelPackageSummaryList: [] }
    });
    const opened: string[] = [];
    const node = show(name => opened.push(name));
    await waitFor(() => node.querySelectorAll('li').length === 2);
    const [churn, fraud] = Array.from(node.querySelectorAll('li'));
    expect(text(churn)).toContain('Who leaves');
    expect(text(churn)).toContain('3 versions');
    expect(text(churn)).toContain('1 approved');
    expect(text(churn)).toContain('v3');
    expect(
      churn.querySelector('[data-approval]')?.getAttribute('data-approval')
    ).toBe('PendingManualApproval');
    const badge = churn.querySelector('[data-approval]')!;
    expect(text(badge)).toBe('Pending');
    expect(badge.getAttribute('title')).toBe('Pending approval');
    expect(churn.getAttribute('aria-label')).toBe(
      'churn, model group, 3 versions, latest version 3 Pending approval'
    );
    expect(text(fraud)).toContain('no versions yet');
    expect(fraud.querySelector('[data-approval]')).toBeNull();

    churn.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    fraud.click();
    expect(opened).toEqual(['churn', 'fraud']);
  });

  it('says how to register a model, or that the search matched nothing', async () => {
    mockApi({ [`GET ${GROUPS}`]: { ModelPackageGroupSummaryList: [] } });
    const node = show();
    await waitFor(() => text(node).includes('No registered models yet'));
    expect(text(node)).toContain('estimator.register(');
    setValue(node.querySelector('input[type="search"]')!, 'xgb');
    await waitFor(() => text(node).includes('No model groups match “xgb”.'));
  });

  it('shows an error with Retry', async () => {
    let fail = true;
    mockApi({
      [`GET ${GROUPS}`]: () =>
        fail
          ? new StudioApiError(503, 'StoreUnavailable', 'store is down')
          : { ModelPackageGroupSummaryList: [] }
    });
    const node = show();
    await waitFor(() => text(node).includes('store is down'));
    expect(text(node)).toContain('Could not load model groups.');
    fail = false;
    button(node, 'Retry').click();
    await waitFor(() => text(node).includes('No registered models yet'));
  });
});

describe('the model group view', () => {
  let widget: Widget | null = null;
  let model: ModelGroupModel | null = null;
  let statuses: Record<number, any>;
  let bodies: Record<string, unknown>;

  function api(extra: Record<string, Answer> = {}): void {
    mockApi({
      [`GET ${GROUPS}/churn`]: group('churn', {
        ModelPackageGroupDescription: 'Customers who leave'
      }),
      [`GET ${CHURN}`]: (query: Record<string, unknown>) => ({
        ModelPackageSummaryList: [2, 1]
          .map(v => summary('churn', v, statuses[v]))
          .filter(
            s =>
              !query.ModelApprovalStatus ||
              s.ModelApprovalStatus === query.ModelApprovalStatus
          )
      }),
      [`GET ${CHURN}/1`]: () =>
        described('churn', 1, statuses[1], {
          ApprovalDescription: 'baseline',
          ModelMetrics: {
            ModelQuality: {
              Statistics: {
                ContentType: 'application/json',
                S3Uri: 's3://elsewhere/eval.json'
              }
            }
          }
        }),
      [`GET ${CHURN}/2`]: () => described('churn', 2, statuses[2]),
      [`PATCH ${CHURN}/2`]: (_: unknown, body: any) => {
        bodies[`PATCH ${CHURN}/2`] = body;
        statuses[2] = body.ModelApprovalStatus;
        return described('churn', 2, statuses[2], {
          ApprovalDescription: body.ApprovalDescription ?? null
        });
      },
      'GET processing-jobs/churn-eval/artifacts/evaluation/evaluation.json':
        raw(JSON.stringify(EVALUATION)),
      ...extra
    });
  }

  beforeEach(() => {
    mockedRequestAPI.mockReset();
    statuses = { 1: 'Approved', 2: 'PendingManualApproval' };
    bodies = {};
  });
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
    document.querySelectorAll('.jp-Dialog').forEach(node => node.remove());
  });

  function show(onOpenEndpoint?: (name: string) => void): HTMLElement {
    const root = { load: async () => undefined, uri: ROOT } as any;
    model = new ModelGroupModel('churn', {
      standby: 'never',
      interval: 1000,
      artifactRoot: root
    });
    widget = ReactWidget.create(
      <ModelGroupView
        model={model}
        trans={trans}
        onOpenEndpoint={onOpenEndpoint}
      />
    );
    Widget.attach(widget, document.body);
    void model.refresh();
    return widget.node;
  }

  const row = (node: Element, version: number) =>
    node.querySelector(`tr[data-version="${version}"]`) as HTMLElement;

  it('shows the versions with approval, metrics and metadata', async () => {
    api();
    const node = show();
    await waitFor(() => text(node).includes('accuracy'));
    expect(node.querySelector('h1')?.textContent).toBe('churn');
    expect(text(node)).toContain('Customers who leave');
    const [first, second] = Array.from(
      node.querySelectorAll('tr[data-version]')
    );
    expect(first.getAttribute('data-version')).toBe('2');
    expect(second.getAttribute('data-version')).toBe('1');
    expect(text(first)).toContain('v2');
    expect(text(first)).toContain('version 2');
    expect(text(first)).toContain('Pending approval');
    expect(text(first.querySelector('.jp-mlstudio-MetricsCell'))).toBe(
      'accuracy 0.91f1 0.88'
    );
    expect(text(first)).toContain('team=churn');
    // the report of version 1 is where the studio cannot read: its URI shows
    expect(text(second.querySelector('.jp-mlstudio-MetricsCell'))).toBe(
      's3://elsewhere/eval.json'
    );
    expect(second.querySelector('[data-approval]')?.getAttribute('title')).toBe(
      'baseline'
    );

    // Pending: Deploy is unavailable, and says why; approved: it is offered.
    const pendingDeploy = first.querySelector('.jp-mlstudio-DeployVersion')!;
    expect(pendingDeploy.getAttribute('aria-disabled')).toBe('true');
    expect(pendingDeploy.getAttribute('title')).toContain(
      'approve this version to deploy it'
    );
    const approvedDeploy = second.querySelector('.jp-mlstudio-DeployVersion')!;
    expect(approvedDeploy.getAttribute('aria-disabled')).toBeNull();
    expect(
      second
        .querySelector('.jp-mlstudio-ApproveVersion')!
        .getAttribute('aria-disabled')
    ).toBe('true');
  });

  it('opens a version to its report, with the keyboard too', async () => {
    api();
    const node = show();
    await waitFor(() => !!row(node, 2) && text(node).includes('accuracy'));
    row(node, 2).focus();
    row(node, 2).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true })
    );
    expect(document.activeElement).toBe(row(node, 1));
    row(node, 1).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true })
    );
    expect(document.activeElement).toBe(row(node, 2));
    row(node, 2).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    await waitFor(() => !!node.querySelector('.jp-mlstudio-VersionDetails'));
    expect(row(node, 2).getAttribute('aria-expanded')).toBe('true');
    const details = node.querySelector('.jp-mlstudio-VersionDetails')!;
    expect(text(details)).toContain('Model quality · Statistics');
    expect(text(details)).toContain('jobs/churn-eval/output/evaluation');
    const json = details.querySelector('.jp-mlstudio-MetricsReport-json');
    expect(JSON.parse(text(json))).toEqual(EVALUATION);
    expect(text(details.querySelector('[data-metric$=".accuracy"]'))).toContain(
      '± 0.01'
    );
    expect(text(details)).toContain('SAGEMAKER_PROGRAM');
    expect(text(details)).toContain('ml.m5.large');
    expect(text(details)).toContain('No approval description.');

    // A click on the row closes it again.
    row(node, 2).click();
    await waitFor(() => !node.querySelector('.jp-mlstudio-VersionDetails'));
  });

  it('approves a version with a description', async () => {
    api();
    const node = show();
    await waitFor(() => !!row(node, 2));
    (
      row(node, 2).querySelector('.jp-mlstudio-ApproveVersion') as HTMLElement
    ).click();
    const box = await dialog('textarea');
    expect(text(box)).toContain('Approve version 2 of “churn”?');
    expect(text(box)).toContain('It is now pending approval.');
    const description = box.querySelector('textarea')!;
    description.value = 'auc 0.93 on holdout';
    button(box, 'Approve').click();
    await waitFor(
      () => row(node, 2)?.getAttribute('data-approval') === 'Approved'
    );
    expect(bodies[`PATCH ${CHURN}/2`]).toEqual({
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'auc 0.93 on holdout'
    });
    expect(
      row(node, 2)
        .querySelector('.jp-mlstudio-DeployVersion')!
        .getAttribute('aria-disabled')
    ).toBeNull();
  });

  it('rejects a version; cancelling changes nothing', async () => {
    api();
    const node = show();
    await waitFor(() => !!row(node, 2));
    const reject = () =>
      (
        row(node, 2).querySelector('.jp-mlstudio-RejectVersion') as HTMLElement
      ).click();
    reject();
    button(await dialog('textarea'), 'Cancel').click();
    await waitFor(() => !document.querySelector('.jp-Dialog'));
    expect(bodies).toEqual({});
    reject();
    const box = await dialog('textarea');
    expect(text(box)).toContain('Reject version 2 of “churn”?');
    button(box, 'Reject').click();
    await waitFor(
      () => row(node, 2)?.getAttribute('data-approval') === 'Rejected'
    );
    expect(bodies[`PATCH ${CHURN}/2`]).toEqual({
      ModelApprovalStatus: 'Rejected'
    });
    expect(
      row(node, 2)
        .querySelector('.jp-mlstudio-DeployVersion')!
        .getAttribute('title')
    ).toContain('rejected');
  });

  it('deploys an approved version through the Deploy dialog', async () => {
    const posts: Record<string, unknown> = {};
    const post =
      (path: string, answer: unknown) => (_: unknown, body: unknown) => {
        posts[path] = body;
        return answer;
      };
    // The registry keeps a copy of a version's code, as an archive.
    const code = `${ROOT}/models/registry-churn/0a1b/sourcedir.tar.gz`;
    const environment = {
      SAGEMAKER_PROGRAM: 'train.py',
      SAGEMAKER_SUBMIT_DIRECTORY: code
    };
    api({
      [`GET ${CHURN}/1`]: described('churn', 1, 'Approved', {
        InferenceSpecification: {
          Containers: [{ ModelDataUrl: MODEL, Environment: environment }],
          SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large']
        }
      }),
      'POST models': post('models', {}),
      'POST endpoint-configs': post('endpoint-configs', {}),
      'POST endpoints': post(
        'endpoints',
        endpointSummary('churn-live', 'Creating')
      )
    });
    const opened: string[] = [];
    const node = show(name => opened.push(name));
    await waitFor(() => !!row(node, 1));
    (
      row(node, 1).querySelector('.jp-mlstudio-DeployVersion') as HTMLElement
    ).click();
    const box = await dialog('input[name="endpointName"]');
    expect(text(box)).toContain('Deploy version 1 of “churn”');
    expect(text(box)).toContain('jobs/churn-train/output/model.tar.gz');
    expect(text(box)).toContain(`train.py in ${code}`);
    expect(text(box)).toContain('ml.m5.large');
    const name = box.querySelector(
      'input[name="endpointName"]'
    ) as HTMLInputElement;
    expect(name.value).toBe('churn-v1');
    name.value = 'churn-live';
    button(box, 'Deploy').click();
    await waitFor(() => opened.length === 1);
    expect(opened).toEqual(['churn-live']);
    const created = posts['models'] as {
      ModelName: string;
      PrimaryContainer: unknown;
    };
    expect(created.PrimaryContainer).toEqual({
      ModelDataUrl: MODEL,
      Environment: environment
    });
    expect(posts['endpoint-configs']).toMatchObject({
      ProductionVariants: [
        { ModelName: created.ModelName, InstanceType: 'ml.m5.large' }
      ]
    });
    expect(posts['endpoints']).toEqual({
      EndpointName: 'churn-live',
      EndpointConfigName: created.ModelName
    });
  });

  it('does not deploy a pending version', async () => {
    api();
    const node = show();
    await waitFor(() => !!row(node, 2));
    const read = jest.spyOn(model!, 'deploySource');
    (
      row(node, 2).querySelector('.jp-mlstudio-DeployVersion') as HTMLElement
    ).click();
    expect(read).not.toHaveBeenCalled();
    expect(row(node, 2).getAttribute('aria-expanded')).toBe('false');
  });

  it('filters by approval status, and says when none match', async () => {
    api();
    const node = show();
    await waitFor(() => node.querySelectorAll('tr[data-version]').length === 2);
    const select = node.querySelector(
      '.jp-mlstudio-ApprovalFilter'
    ) as HTMLSelectElement;
    setValue(select, 'Approved');
    await waitFor(() => node.querySelectorAll('tr[data-version]').length === 1);
    expect(row(node, 1)).not.toBeNull();
    setValue(select, 'Rejected');
    await waitFor(() => text(node).includes('No versions are rejected.'));
    button(node, 'Show every version').click();
    await waitFor(() => node.querySelectorAll('tr[data-version]').length === 2);
  });

  it('says how to register a first version', async () => {
    api({ [`GET ${CHURN}`]: { ModelPackageSummaryList: [] } });
    const node = show();
    await waitFor(() => text(node).includes('No versions yet'));
    expect(text(node)).toContain(
      'estimator.register(model_package_group_name="churn"'
    );
  });

  it('shows an error with Retry when the group cannot be read', async () => {
    let fail = true;
    api({
      [`GET ${GROUPS}/churn`]: () =>
        fail
          ? new StudioApiError(404, 'NotFound', 'no model package group churn')
          : group('churn')
    });
    const node = show();
    await waitFor(() => text(node).includes('no model package group churn'));
    expect(text(node)).toContain('Could not load model group “churn”.');
    fail = false;
    button(node, 'Retry').click();
    await waitFor(() => !!row(node, 2));
  });

  it('is a main-area widget named after the group', () => {
    api();
    const group = new ModelGroupModel('churn', { standby: 'never' });
    const view = new ModelGroupWidget(group, trans);
    expect(view.id).toBe('mlstudio-model-group-churn');
    expect(view.title.label).toBe('churn');
    expect(view.hasClass('jp-mlstudio-ModelGroupWidget')).toBe(true);
    view.dispose();
    expect(group.isDisposed).toBe(true);
  });
});
