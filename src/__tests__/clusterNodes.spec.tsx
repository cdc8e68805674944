jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));
jest.mock('plotly.js-dist-min', () => ({
  react: jest.fn(async () => undefined),
  purge: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import React from 'react';

import { IEndpointInstance } from '../api/endpoints';
import { EndpointModel } from '../models/endpoint';
import { JobModel } from '../models/job';
import {
  instanceNode,
  jobHostNodes,
  readNode,
  shortNodeId
} from '../models/nodes';
import { EndpointView } from '../widgets/endpointView';
import { JobView } from '../widgets/jobView';
import { described, variant } from './endpointFixtures';
import { Answer, job, mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const text = (node: Element) => node.textContent ?? '';

const NODE_A = 'a1b2c3d4'.padEnd(56, '0');
const NODE_B = 'e5f6a7b8'.padEnd(56, '1');

const SPEC = {
  ScriptMode: { EntryPoint: 'train.py' },
  ResourceConfig: { InstanceType: 'local', InstanceCount: 2 },
  StoppingCondition: { MaxRuntimeInSeconds: 600 }
};

const HOSTS = [
  { Host: 'algo-1', Node: { NodeId: NODE_A, Address: '10.0.0.1' } },
  { Host: 'algo-2', Node: { NodeId: NODE_B, Address: '10.0.0.2' } }
];

function instance(
  host: string,
  node?: { NodeId: string; Address: string }
): IEndpointInstance {
  return {
    Host: host,
    Status: 'Healthy',
    Restarts: 0,
    StartedAt: 1,
    Detail: null,
    Containers: null,
    Node: node ?? null
  };
}

describe('the node readers', () => {
  it('read the hosts a job recorded, skipping what names no node', () => {
    const nodes = jobHostNodes(
      job('j', {
        Outputs: {
          Hosts: [
            ...HOSTS,
            { Host: 'algo-3', Node: { NodeId: '' } },
            { Host: 'algo-4' },
            null,
            'algo-5'
          ]
        }
      })
    );
    expect([...nodes.keys()]).toEqual(['algo-1', 'algo-2']);
    expect(nodes.get('algo-2')).toEqual({
      NodeId: NODE_B,
      Address: '10.0.0.2'
    });
  });

  it('find no node on a job of another runtime or an odd shape', () => {
    expect(jobHostNodes(job('j')).size).toBe(0);
    expect(jobHostNodes(job('j', { Outputs: { Hosts: 'x' } })).size).toBe(0);
    expect(readNode({ NodeId: 'n' })).toEqual({ NodeId: 'n', Address: '' });
    expect(readNode('n')).toBeNull();
  });

  it('read an instance’s node and shorten ids', () => {
    expect(instanceNode(instance('algo-1'))).toBeNull();
    expect(
      instanceNode(instance('algo-1', { NodeId: NODE_A, Address: '10.0.0.1' }))
    ).toEqual({ NodeId: NODE_A, Address: '10.0.0.1' });
    expect(shortNodeId(NODE_A)).toBe('a1b2c3d4');
  });
});

describe('the job view of a job on the Ray runtime', () => {
  let widget: Widget | null = null;
  let model: JobModel | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  function show(routes: Record<string, Answer>): HTMLElement {
    mockApi(routes);
    model = new JobModel('TrainingJob', 'ray-2', {
      standby: 'never',
      logInterval: 0.02
    });
    widget = ReactWidget.create(<JobView model={model} trans={trans} />);
    Widget.attach(widget, document.body);
    void model.refresh();
    return widget.node;
  }

  const LOGS = {
    'GET training-jobs/ray-2/logs': (query: Record<string, unknown>) => ({
      Text: `hello from ${query.Host}\n`,
      NextOffset: 20,
      Complete: true
    })
  };

  it('shows the node of each host, also after the job ended', async () => {
    const node = show({
      ...LOGS,
      'GET training-jobs/ray-2': job('ray-2', {
        Status: 'Completed',
        Runtime: 'ray',
        Spec: SPEC,
        Outputs: { Hosts: HOSTS }
      })
    });
    await waitFor(() => text(node).includes('Nodes'));
    const table = node.querySelector('.jp-mlstudio-HostNodes')!;
    const rows = table.querySelectorAll('tbody tr');
    expect(rows).toHaveLength(2);
    expect(rows[0].getAttribute('data-host')).toBe('algo-1');
    expect(rows[0].getAttribute('data-node')).toBe(NODE_A);
    // the short id on screen, the full one in the tooltip
    expect(text(rows[0])).toBe('algo-1a1b2c3d410.0.0.1');
    const label = rows[1].querySelector('.jp-mlstudio-NodeLabel')!;
    expect(label.getAttribute('title')).toBe(`node ${NODE_B}`);
    expect(text(rows[1])).toContain('10.0.0.2');
    // the log's host picker says where each host runs
    const options = Array.from(
      node.querySelectorAll<HTMLOptionElement>('.jp-mlstudio-LogHost option')
    ).map(option => [option.value, option.textContent]);
    expect(options).toEqual([
      ['algo-1', 'algo-1 (node a1b2c3d4, 10.0.0.1)'],
      ['algo-2', 'algo-2 (node e5f6a7b8, 10.0.0.2)']
    ]);
  });

  it('lists a host not placed yet after those that are', async () => {
    const node = show({
      ...LOGS,
      'GET training-jobs/ray-2': job('ray-2', {
        Runtime: 'ray',
        Spec: SPEC,
        Outputs: { Hosts: [HOSTS[1]] }
      })
    });
    await waitFor(() => !!node.querySelector('.jp-mlstudio-HostNodes'));
    const rows = node.querySelectorAll('.jp-mlstudio-HostNodes tbody tr');
    expect(Array.from(rows).map(row => row.getAttribute('data-host'))).toEqual([
      'algo-2',
      'algo-1'
    ]);
    expect(text(rows[1])).toContain('not placed yet');
  });

  it('has no Nodes section for a job on the studio’s machine', async () => {
    const node = show({
      ...LOGS,
      'GET training-jobs/ray-2': job('ray-2', {
        Status: 'Completed',
        Runtime: 'process',
        Spec: SPEC
      })
    });
    await waitFor(() => text(node).includes('Status timeline'));
    expect(node.querySelector('[aria-label="Nodes"]')).toBeNull();
    expect(node.querySelector('.jp-mlstudio-NodeLabel')).toBeNull();
    const options = Array.from(
      node.querySelectorAll<HTMLOptionElement>('.jp-mlstudio-LogHost option')
    ).map(option => option.textContent);
    expect(options).toEqual(['algo-1', 'algo-2']);
  });
});

describe('the endpoint view’s instances on cluster nodes', () => {
  let widget: Widget | null = null;
  let model: EndpointModel | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  it('shows the node of each instance that has one', async () => {
    mockApi({
      'GET endpoint-configs': { EndpointConfigs: [], NextToken: null },
      'GET endpoints/churn': described('churn', [
        variant('AllTraffic', 1, {
          CurrentInstanceCount: 2,
          DesiredInstanceCount: 2,
          Instances: [
            instance('algo-1', { NodeId: NODE_A, Address: '10.0.0.1' }),
            instance('algo-2')
          ]
        })
      ]),
      'GET endpoints/churn/metrics': { Variants: [] },
      'GET endpoints/churn/logs': { Text: '', NextOffset: 0, Complete: false }
    });
    model = new EndpointModel('churn', { standby: 'never', interval: 1 });
    widget = ReactWidget.create(<EndpointView model={model} trans={trans} />);
    Widget.attach(widget, document.body);
    void model.refresh();
    const node = widget.node;
    await waitFor(() => !!node.querySelector('[data-host="algo-2"]'));
    const placed = node.querySelector(
      '.jp-mlstudio-InstanceBadge[data-host="algo-1"]'
    )!;
    expect(placed.getAttribute('data-node')).toBe(NODE_A);
    expect(text(placed)).toContain('on a1b2c3d410.0.0.1');
    expect(placed.getAttribute('title')).toContain(
      `on node ${NODE_A} (10.0.0.1)`
    );
    const local = node.querySelector(
      '.jp-mlstudio-InstanceBadge[data-host="algo-2"]'
    )!;
    expect(local.hasAttribute('data-node')).toBe(false);
    expect(local.querySelector('.jp-mlstudio-NodeLabel')).toBeNull();
    // the log's instance picker says where each instance runs
    await waitFor(() => !!node.querySelector('.jp-mlstudio-LogHost'));
    const options = Array.from(
      node.querySelectorAll<HTMLOptionElement>('.jp-mlstudio-LogHost option')
    ).map(option => option.textContent);
    expect(options).toEqual(['algo-1 (node a1b2c3d4, 10.0.0.1)', 'algo-2']);
  });
});
