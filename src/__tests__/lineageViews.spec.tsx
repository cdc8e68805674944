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

import type { ILineage } from '../api/lineage';
import { EndpointModel } from '../models/endpoint';
import { ModelGroupModel } from '../models/registryGroup';
import { EndpointView } from '../widgets/endpointView';
import { ModelGroupView } from '../widgets/modelGroupView';
import {
  described as endpointDescribed,
  figures,
  metrics,
  variant
} from './endpointFixtures';
import {
  described as versionDescribed,
  group,
  MODEL,
  ROOT,
  summary
} from './registryFixtures';
import { mockApi, mockedRequestAPI, waitFor } from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');
const ARN = 'arn:mlstudio:sagemaker:local';

function lineageOf(first: ILineage['Entities'][number]): ILineage {
  const job = {
    Id: `${ARN}:training-job/churn-train`,
    Type: 'TrainingJob' as const,
    Name: 'churn-train',
    Arn: `${ARN}:training-job/churn-train`,
    Status: 'Completed',
    Uri: null,
    Depth: 1,
    Details: null
  };
  return {
    Entities: [first, job],
    Edges: [
      { Source: job.Id, Destination: first.Id, AssociationType: 'Produced' }
    ],
    Truncated: false
  };
}

const section = (node: HTMLElement) =>
  node.querySelector('section[aria-label="Lineage"]') as HTMLElement | null;

describe('the lineage in the views', () => {
  let widget: Widget | null = null;
  let model: { dispose(): void } | null = null;
  beforeEach(() => mockedRequestAPI.mockReset());
  afterEach(() => {
    widget?.dispose();
    model?.dispose();
    widget = model = null;
  });

  it('shows the endpoint’s lineage, its entities opening their views', async () => {
    const asked: unknown[] = [];
    mockApi({
      'GET endpoints/churn': endpointDescribed('churn', [variant('blue', 1)]),
      'GET endpoint-configs': { EndpointConfigs: [], NextToken: null },
      'GET endpoints/churn/metrics': metrics('churn', [figures('blue', 1)]),
      'GET endpoints/churn/captures': {
        Records: [],
        Files: [],
        CaptureStatus: 'Stopped'
      },
      'GET endpoints/churn/logs': { Text: '', NextOffset: 0, Complete: false },
      'GET lineage': (query: Record<string, unknown>) => {
        asked.push(query);
        return lineageOf({
          Id: `${ARN}:endpoint/churn`,
          Type: 'Endpoint',
          Name: 'churn',
          Arn: `${ARN}:endpoint/churn`,
          Status: 'InService',
          Uri: null,
          Depth: 0,
          Details: null
        });
      }
    });
    const endpoint = new EndpointModel('churn', {
      standby: 'never',
      interval: 1000
    });
    model = endpoint;
    const openJob = jest.fn();
    widget = ReactWidget.create(
      <EndpointView
        model={endpoint}
        trans={trans}
        lineageActions={{ openJob }}
      />
    );
    Widget.attach(widget, document.body);
    void endpoint.refresh();
    const node = widget.node;
    await waitFor(
      () => !!section(node)?.querySelector('.jp-mlstudio-Lineage-item')
    );
    expect(asked).toEqual([{ EndpointName: 'churn' }]);
    const items = section(node)!.querySelectorAll('.jp-mlstudio-Lineage-item');
    expect(Array.from(items).map(i => i.getAttribute('data-type'))).toEqual([
      'Endpoint',
      'TrainingJob'
    ]);
    section(node)!
      .querySelector<HTMLButtonElement>('button.jp-mlstudio-Link')!
      .click();
    expect(openJob).toHaveBeenCalledWith('TrainingJob', 'churn-train');
  });

  it('shows a version’s lineage in its details, and an empty one as such', async () => {
    const asked: unknown[] = [];
    const version = summary('churn', 1, 'Approved');
    mockApi({
      'GET model-package-groups/churn': group('churn'),
      'GET model-package-groups/churn/model-packages': {
        ModelPackageSummaryList: [version]
      },
      'GET model-package-groups/churn/model-packages/1': versionDescribed(
        'churn',
        1,
        'Approved'
      ),
      'GET endpoints': { Endpoints: [] },
      'GET models': { Models: [] },
      'GET endpoint-configs': { EndpointConfigs: [] },
      'GET lineage': (query: Record<string, unknown>) => {
        asked.push(query);
        return {
          Entities: [
            {
              Id: version.ModelPackageArn,
              Type: 'ModelPackage',
              Name: 'churn/1',
              Arn: version.ModelPackageArn,
              Status: 'Approved',
              Uri: null,
              Depth: 0,
              Details: null
            }
          ],
          Edges: [],
          Truncated: false
        };
      }
    });
    const root = { load: async () => undefined, uri: ROOT } as any;
    const groupModel = new ModelGroupModel('churn', {
      standby: 'never',
      interval: 1000,
      artifactRoot: root
    });
    model = groupModel;
    widget = ReactWidget.create(
      <ModelGroupView model={groupModel} trans={trans} />
    );
    Widget.attach(widget, document.body);
    void groupModel.refresh();
    const node = widget.node;
    await waitFor(() => !!node.querySelector('tr[data-version="1"]'));
    (node.querySelector('tr[data-version="1"]') as HTMLElement).click();
    await waitFor(
      () => !!section(node)?.querySelector('.jp-mlstudio-EmptyState')
    );
    expect(asked).toEqual([{ ModelPackageArn: version.ModelPackageArn }]);
    expect(section(node)!.textContent).toContain(
      'Nothing is known about what produced this version.'
    );
    expect(node.textContent).toContain(MODEL.slice(ROOT.length + 1));
  });
});
