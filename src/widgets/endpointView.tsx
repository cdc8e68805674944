/**
 * The main-area view of one endpoint: status and failure reason, the variants with
 * their instances and editable weights (and the containers of an inference pipeline),
 * a switch to another configuration, the models a multi-model variant has loaded, what
 * produced its models (lineage), live figures, a test panel, the captured requests and
 * the log of each instance; a Monitoring tab (Model Monitor's schedules, executions
 * and reports); and an Autoscaling tab (each variant's bounds, policy, instances and
 * scaling activities).
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { deleteIcon, ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { IEndpoint } from '../api/endpoints';
import { withArtifactRoot } from '../components/ArtifactUri';
import { Lineage, useLineageModel } from '../components/Lineage';
import { ILogViewerLabels, LogViewer } from '../components/LogViewer';
import { StatusBadge } from '../components/StatusBadge';
import { useSignals } from '../components/useSignals';
import { absoluteTime, relativeTime } from '../format';
import { studioIcon } from '../icons';
import { ArtifactRoot } from '../models/artifactRoot';
import { capturesData, EndpointModel, EndpointTab } from '../models/endpoint';
import type { ILineageActions } from '../models/lineage';
import { EndpointLog } from '../models/endpointLog';
import { IClusterNode, instanceNode, shortNodeId } from '../models/nodes';
import { EndpointCaptures } from './endpointCaptures';
import { ConfigSwitch } from './endpointConfigSwitch';
import { EndpointModelsPanel, PipelineContainers } from './endpointContainers';
import { EndpointFigures } from './endpointFigures';
import { confirmDeleteEndpoint } from './endpoints';
import { TestPanel } from './endpointTest';
import { VariantsTable } from './endpointVariants';
import { MainAreaView } from './mainAreaView';
import { MonitoringTab } from './monitoringTab';
import { AutoscalingTab } from './autoscalingTab';
import { RefreshButton } from '../components/RefreshButton';

export interface IEndpointViewProps {
  model: EndpointModel;
  trans: TranslationBundle;
  /** What the lineage's entities open (default: those of `setLineageActions`). */
  lineageActions?: ILineageActions | null;
  /** Opens a processing job (a monitoring execution's) in the job view. */
  onOpenJob?: (name: string) => void;
}

export function EndpointView(props: IEndpointViewProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.stateChanged);
  const state = model.state;
  if (state.kind === 'loading') {
    return (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Loading endpoint…')}
      </p>
    );
  }
  if (state.kind === 'error') {
    return (
      <div role="alert" className="jp-mlstudio-ErrorState">
        <p className="jp-mlstudio-ErrorState-title">
          {state.gone
            ? trans.__('Endpoint “%1” no longer exists.', model.name)
            : trans.__('Could not load endpoint “%1”.', model.name)}
        </p>
        <p className="jp-mlstudio-ErrorState-message">{state.message}</p>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={() => void model.refresh()}
        >
          {trans.__('Retry')}
        </button>
      </div>
    );
  }
  const endpoint = state.endpoint;
  return (
    <div
      className="jp-mlstudio-View jp-mlstudio-EndpointView"
      data-endpoint={endpoint.EndpointName}
      data-status={endpoint.EndpointStatus}
    >
      <Header model={model} trans={trans} endpoint={endpoint} />
      {endpoint.FailureReason ? (
        <div className="jp-mlstudio-JobFailure" role="alert">
          <strong>{trans.__('Failure reason')}</strong>
          <pre>{endpoint.FailureReason}</pre>
        </div>
      ) : null}
      <EndpointTabs model={model} trans={trans} />
      {model.tab === 'autoscaling' ? (
        <div
          role="tabpanel"
          id={panelId(model, 'autoscaling')}
          aria-labelledby={tabId(model, 'autoscaling')}
        >
          <AutoscalingTab
            model={model.autoscaling}
            endpoint={endpoint}
            trans={trans}
          />
        </div>
      ) : model.tab === 'monitoring' ? (
        <div
          role="tabpanel"
          id={panelId(model, 'monitoring')}
          aria-labelledby={tabId(model, 'monitoring')}
        >
          <MonitoringTab
            model={model.monitoring}
            trans={trans}
            captures={capturesData(endpoint)}
            onOpenJob={props.onOpenJob}
          />
        </div>
      ) : (
        <Overview {...props} endpoint={endpoint} />
      )}
    </div>
  );
}

/** The variants, lineage, figures, test panel, captures and logs (the first tab). */
function Overview(
  props: IEndpointViewProps & { endpoint: IEndpoint }
): JSX.Element {
  const { model, trans, endpoint } = props;
  return (
    <div
      role="tabpanel"
      id={panelId(model, 'overview')}
      aria-labelledby={tabId(model, 'overview')}
    >
      <section aria-label={trans.__('Variants')}>
        <h2>{trans.__('Variants')}</h2>
        <VariantsTable
          model={model}
          variants={endpoint.ProductionVariants ?? []}
          trans={trans}
        />
        <PipelineContainers
          variants={endpoint.ProductionVariants ?? []}
          trans={trans}
        />
        <ConfigSwitch model={model} endpoint={endpoint} trans={trans} />
      </section>
      <EndpointModelsPanel model={model} trans={trans} />
      <section aria-label={trans.__('Lineage')}>
        <h2>{trans.__('Lineage')}</h2>
        <EndpointLineage
          name={endpoint.EndpointName}
          config={endpoint.EndpointConfigName}
          trans={trans}
          actions={props.lineageActions}
        />
      </section>
      <section aria-label={trans.__('Figures')}>
        <h2>{trans.__('Figures')}</h2>
        <EndpointFigures model={model} trans={trans} />
      </section>
      <div className="jp-mlstudio-EndpointColumns">
        <section aria-label={trans.__('Test')}>
          <h2>{trans.__('Test')}</h2>
          <TestPanel model={model} trans={trans} />
        </section>
        <section aria-label={trans.__('Captured requests')}>
          <h2>{trans.__('Captured requests')}</h2>
          <EndpointCaptures model={model} trans={trans} />
        </section>
      </div>
      <section aria-label={trans.__('Logs')} className="jp-mlstudio-JobLogs">
        <h2>{trans.__('Logs')}</h2>
        <LogPanel model={model} trans={trans} />
      </section>
    </div>
  );
}

const TABS: EndpointTab[] = ['overview', 'monitoring', 'autoscaling'];
const tabId = (model: EndpointModel, tab: EndpointTab) =>
  `mlstudio-endpoint-${model.name}-tab-${tab}`;
const panelId = (model: EndpointModel, tab: EndpointTab) =>
  `mlstudio-endpoint-${model.name}-panel-${tab}`;

/**
 * Overview, Monitoring and Autoscaling: a tab list (arrow keys, Home and End move
 * between tabs).
 */
function EndpointTabs(props: IEndpointViewProps): JSX.Element {
  const { model, trans } = props;
  const refs = React.useRef(new Map<EndpointTab, HTMLButtonElement>());
  const labels: Record<EndpointTab, string> = {
    overview: trans.__('Overview'),
    autoscaling: trans.__('Autoscaling'),
    monitoring: trans.__('Monitoring')
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    const index = TABS.indexOf(model.tab);
    const next =
      event.key === 'ArrowRight'
        ? TABS[(index + 1) % TABS.length]
        : event.key === 'ArrowLeft'
          ? TABS[(index + TABS.length - 1) % TABS.length]
          : event.key === 'Home'
            ? TABS[0]
            : event.key === 'End'
              ? TABS[TABS.length - 1]
              : null;
    if (next) {
      event.preventDefault();
      model.tab = next;
      refs.current.get(next)?.focus();
    }
  };
  return (
    <div
      className="jp-mlstudio-Tabs jp-mlstudio-EndpointTabs"
      role="tablist"
      aria-label={trans.__('Endpoint views')}
      onKeyDown={onKeyDown}
    >
      {TABS.map(tab => (
        <button
          key={tab}
          ref={node => {
            if (node) {
              refs.current.set(tab, node);
            }
          }}
          type="button"
          role="tab"
          id={tabId(model, tab)}
          aria-selected={model.tab === tab}
          aria-controls={panelId(model, tab)}
          tabIndex={model.tab === tab ? 0 : -1}
          data-tab={tab}
          className={`jp-mlstudio-Tab ${model.tab === tab ? 'jp-mod-active' : ''}`}
          onClick={() => (model.tab = tab)}
        >
          {labels[tab]}
        </button>
      ))}
    </div>
  );
}

/** What produced the endpoint's models; read again when its configuration changes. */
function EndpointLineage(props: {
  name: string;
  config: string;
  trans: TranslationBundle;
  actions?: ILineageActions | null;
}): JSX.Element {
  const lineage = useLineageModel(
    { EndpointName: props.name },
    `${props.name}/${props.config}`
  );
  return (
    <Lineage model={lineage} trans={props.trans} actions={props.actions} />
  );
}

function Header(
  props: IEndpointViewProps & { endpoint: IEndpoint }
): JSX.Element {
  const { model, trans, endpoint } = props;
  const deleting = endpoint.EndpointStatus === 'Deleting';
  return (
    <header className="jp-mlstudio-View-header jp-mlstudio-JobHeader">
      <h1>{endpoint.EndpointName}</h1>
      <StatusBadge status={endpoint.EndpointStatus} />
      <span className="jp-mlstudio-JobHeader-detail">
        {trans.__('configuration %1', endpoint.EndpointConfigName)}
        {' · '}
        <time
          dateTime={endpoint.CreationTime}
          title={absoluteTime(endpoint.CreationTime)}
        >
          {trans.__('created %1', relativeTime(endpoint.CreationTime))}
        </time>
      </span>
      <span className="jp-mlstudio-JobHeader-spacer" />
      <RefreshButton
        label={trans.__('Refresh endpoint')}
        onRefresh={() => model.refresh()}
      />
      <button
        type="button"
        className={`jp-Button jp-mod-styled ${deleting ? '' : 'jp-mod-warn'} jp-mlstudio-DeleteEndpoint`}
        disabled={deleting}
        title={
          deleting
            ? trans.__('The endpoint is being deleted.')
            : trans.__('Delete this endpoint')
        }
        onClick={() =>
          void confirmDeleteEndpoint(model.name, () => model.delete(), trans)
        }
      >
        <deleteIcon.react tag="span" elementSize="normal" />
        {trans.__('Delete')}
      </button>
    </header>
  );
}

function LogPanel(props: IEndpointViewProps): JSX.Element {
  const { model, trans } = props;
  const log = model.log;
  if (!log) {
    return (
      <p className="jp-mlstudio-Muted">
        {trans.__('The logs appear once the endpoint has instances.')}
      </p>
    );
  }
  return <LogBody model={model} trans={trans} log={log} />;
}

function LogBody(
  props: IEndpointViewProps & { log: EndpointLog }
): JSX.Element {
  const { model, trans, log } = props;
  useSignals(log.changed);
  const labels = React.useMemo<ILogViewerLabels>(
    () => ({
      log: trans.__('Log of %1', model.name),
      search: trans.__('Search the log'),
      matches: (current, total) => trans.__('%1 of %2', current, total),
      noMatches: trans.__('No matches'),
      follow: trans.__('Follow'),
      following: trans.__('Following'),
      previous: trans.__('Previous match'),
      next: trans.__('Next match'),
      dropped: count => trans.__('%1 earlier lines not shown', count),
      empty: trans.__('Nothing logged yet.')
    }),
    [trans, model.name]
  );
  const variants = model.variants;
  const hosts = model.logHosts;
  const nodes = new Map<string, IClusterNode>();
  for (const instance of variants.find(v => v.VariantName === log.variant)
    ?.Instances ?? []) {
    const node = instanceNode(instance);
    if (node) {
      nodes.set(instance.Host, node);
    }
  }
  const tools = (
    <>
      {variants.length > 1 ? (
        <select
          className="jp-mod-styled jp-mlstudio-Select jp-mlstudio-LogHost jp-mlstudio-LogVariant"
          aria-label={trans.__('Variant')}
          value={model.logVariant}
          onChange={event => (model.logVariant = event.target.value)}
        >
          {variants.map(variant => (
            <option key={variant.VariantName} value={variant.VariantName}>
              {variant.VariantName}
            </option>
          ))}
        </select>
      ) : null}
      <select
        className="jp-mod-styled jp-mlstudio-Select jp-mlstudio-LogHost"
        aria-label={trans.__('Instance')}
        value={model.logHost}
        onChange={event => (model.logHost = event.target.value)}
      >
        {hosts.map(host => {
          const node = nodes.get(host);
          return (
            <option key={host} value={host}>
              {node
                ? trans.__(
                    '%1 (node %2, %3)',
                    host,
                    shortNodeId(node.NodeId),
                    node.Address
                  )
                : host}
            </option>
          );
        })}
      </select>
    </>
  );
  const status = log.error
    ? trans.__('Could not read the log: %1', log.error)
    : log.loading
      ? trans.__('Loading the log…')
      : log.complete
        ? trans.__('End of log (the instance stopped).')
        : trans.__('Live');
  return (
    <>
      <LogViewer
        key={`${log.variant}/${log.host}`}
        lines={log.lines}
        version={log.version}
        dropped={log.dropped}
        labels={labels}
        tools={tools}
        maxHeight={320}
      />
      <p
        className={`jp-mlstudio-LogStatus${log.error ? ' jp-mod-error' : ''}`}
        role="status"
        data-complete={log.complete}
      >
        {status}
      </p>
    </>
  );
}

/** The main-area widget of an endpoint; one per endpoint. */
export class EndpointWidget extends MainAreaView<EndpointModel> {
  /**
   * `artifactRoot`: the studio's; capture URIs under it print relative to it.
   * `lineageActions`: what the lineage's entities open (default: those of `setLineageActions`).
   * `onOpenJob`: opens a monitoring execution's processing job.
   */
  constructor(
    model: EndpointModel,
    trans: TranslationBundle,
    artifactRoot?: ArtifactRoot,
    lineageActions?: ILineageActions,
    onOpenJob?: (name: string) => void
  ) {
    super(
      model,
      ReactWidget.create(
        withArtifactRoot(
          artifactRoot,
          <EndpointView
            model={model}
            trans={trans}
            lineageActions={lineageActions}
            onOpenJob={onOpenJob}
          />
        )
      )
    );
    this.id = `mlstudio-endpoint-${model.name}`;
    this.title.label = model.name;
    this.title.caption = trans.__('Endpoint %1', model.name);
    this.title.icon = studioIcon;
    this.title.closable = true;
    this.addClass('jp-mlstudio-EndpointWidget');
  }
}
