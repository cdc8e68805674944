jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { ServerExtensionMissingError, StudioApiError } from '../api/request';
import { StudioModel } from '../models/studio';
import { createEndpointsWidget } from '../widgets/endpoints';
import { createExperimentsWidget } from '../widgets/experiments';
import { createJobsWidget } from '../widgets/jobs';
import { SIDEBAR_ID, StudioSidebar } from '../widgets/sidebar';
import {
  EMPTY_API,
  experiment,
  mockApi,
  mockedRequestAPI,
  NOW,
  waitFor
} from './utils';

const trans = nullTranslator.load('jupyter_mlstudio');

describe('sidebar sections', () => {
  let studio: StudioModel;
  let widget: Widget | null = null;

  /** Attach a section widget and start its model. */
  function show(section: Widget): HTMLElement {
    widget = section;
    Widget.attach(section, document.body);
    studio.visible = true;
    return section.node;
  }

  const text = (node: HTMLElement) => node.textContent ?? '';

  beforeEach(() => {
    mockedRequestAPI.mockReset();
    studio = new StudioModel({ standby: 'never' });
  });

  afterEach(() => {
    widget?.dispose();
    widget = null;
    studio.dispose();
  });

  it('shows the empty state of each section', async () => {
    mockApi(EMPTY_API);
    const node = show(createExperimentsWidget(studio.experiments, trans));
    await waitFor(() => text(node).includes('No experiments yet'));
    expect(text(node)).toContain('Runs you track from a notebook or a job');

    widget?.dispose();
    const jobs = show(createJobsWidget(studio.jobs, trans));
    await waitFor(() => text(jobs).includes('No jobs yet'));

    widget?.dispose();
    const endpoints = show(createEndpointsWidget(studio.endpoints, trans));
    await waitFor(() => text(endpoints).includes('No endpoints yet'));
  });

  it('lists experiments as focusable rows with their run count', async () => {
    mockApi({
      ...EMPTY_API,
      'GET experiments': {
        ExperimentSummaries: [
          experiment('mnist-cnn', 3),
          experiment('churn', 1)
        ]
      }
    });
    const node = show(createExperimentsWidget(studio.experiments, trans));
    await waitFor(() => node.querySelectorAll('li').length === 2);
    const rows = Array.from(node.querySelectorAll('li'));
    expect(rows[0].textContent).toContain('mnist-cnn');
    expect(rows[0].textContent).toContain('3 runs');
    expect(rows[1].textContent).toContain('1 run');
    expect(rows[0].tabIndex).toBe(0);
    expect(rows[0].getAttribute('aria-label')).toMatch(/^mnist-cnn, 3 runs/);
  });

  it('sends the search box text as NameContains', async () => {
    const queries: Record<string, unknown>[] = [];
    mockApi({
      'GET experiments': (query: Record<string, unknown>) => {
        queries.push(query);
        return { ExperimentSummaries: [] };
      }
    });
    const node = show(createExperimentsWidget(studio.experiments, trans));
    await waitFor(() => text(node).includes('No experiments yet'));
    const input = node.querySelector(
      'input[type="search"]'
    ) as HTMLInputElement;
    expect(input.getAttribute('aria-label')).toBe('Search experiments by name');
    // React listens to the native "input" event for onChange.
    const setValue = Object.getOwnPropertyDescriptor(
      HTMLInputElement.prototype,
      'value'
    )!.set!;
    setValue.call(input, 'mnist');
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await waitFor(() => queries.some(query => query.NameContains === 'mnist'));
    await waitFor(() => text(node).includes('No experiments match “mnist”'));
  });

  it('shows jobs with kind, status badge, secondary status and duration', async () => {
    mockApi({
      ...EMPTY_API,
      'GET training-jobs': {
        TrainingJobSummaries: [
          {
            JobName: 'train-1',
            Kind: 'TrainingJob',
            Status: 'Failed',
            SecondaryStatus: 'Failed',
            FailureReason: 'exit code 1',
            CreationTime: '2026-01-01T00:00:00Z',
            StartTime: '2026-01-01T00:00:00Z',
            EndTime: '2026-01-01T00:03:07Z',
            LastModifiedTime: '2026-01-01T00:03:07Z'
          }
        ]
      }
    });
    const node = show(createJobsWidget(studio.jobs, trans));
    await waitFor(() => node.querySelectorAll('li').length === 1);
    const row = node.querySelector('li')!;
    expect(row.textContent).toContain('train-1');
    expect(row.textContent).toContain('Training');
    expect(row.textContent).toContain('3m 07s');
    expect(row.textContent).toContain('exit code 1');
    const badge = row.querySelector('.jp-mlstudio-StatusBadge')!;
    expect(badge.textContent).toBe('Failed');
    expect(badge.classList).toContain('jp-mlstudio-mod-error');
  });

  it('shows endpoints with their status', async () => {
    mockApi({
      ...EMPTY_API,
      'GET endpoints': {
        Endpoints: [
          {
            EndpointName: 'churn-prod',
            EndpointConfigName: 'churn-config',
            EndpointStatus: 'InService',
            CreationTime: NOW,
            LastModifiedTime: NOW
          }
        ]
      }
    });
    const node = show(createEndpointsWidget(studio.endpoints, trans));
    await waitFor(() => node.querySelectorAll('li').length === 1);
    expect(text(node)).toContain('churn-prod');
    expect(node.querySelector('.jp-mlstudio-StatusBadge')!.textContent).toBe(
      'In service'
    );
  });

  it('shows an error with a working retry button', async () => {
    mockApi({
      ...EMPTY_API,
      'GET experiments': new StudioApiError(
        500,
        'StoreError',
        'database locked'
      )
    });
    const node = show(createExperimentsWidget(studio.experiments, trans));
    await waitFor(() => text(node).includes('database locked'));
    expect(text(node)).toContain('Could not load experiments.');

    mockApi({
      ...EMPTY_API,
      'GET experiments': { ExperimentSummaries: [experiment('recovered')] }
    });
    const retry = Array.from(node.querySelectorAll('button')).find(
      button => button.textContent === 'Retry'
    )!;
    retry.click();
    await waitFor(() => text(node).includes('recovered'));
  });
});

describe('StudioSidebar', () => {
  it('shows one notice when the server extension is missing', async () => {
    mockedRequestAPI.mockReset();
    const missing = new ServerExtensionMissingError('route-missing');
    mockApi({
      'GET experiments': missing,
      'GET training-jobs': missing,
      'GET processing-jobs': missing,
      'GET auto-ml-jobs': missing,
      'GET endpoints': missing,
      'GET model-package-groups': missing
    });
    const studio = new StudioModel({ standby: 'never' });
    const sidebar = new StudioSidebar({ model: studio });
    expect(sidebar.id).toBe(SIDEBAR_ID);
    Widget.attach(sidebar, document.body);
    await waitFor(() =>
      (sidebar.node.textContent ?? '').includes(
        'server extension is not enabled'
      )
    );
    expect(sidebar.node.textContent).toContain('pip install jupyter_mlstudio');
    expect(sidebar.node.textContent).toContain(
      'jupyter server extension enable jupyter_mlstudio'
    );
    expect(sidebar.content.isHidden).toBe(true);

    mockApi(EMPTY_API);
    const retry = Array.from(sidebar.node.querySelectorAll('button')).find(
      button => button.textContent === 'Retry'
    )!;
    retry.click();
    await waitFor(() => !sidebar.content.isHidden);
    await waitFor(() =>
      (sidebar.node.textContent ?? '').includes('No experiments yet')
    );
    sidebar.dispose();
    studio.dispose();
  });
});
