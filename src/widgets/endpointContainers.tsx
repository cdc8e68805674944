/**
 * What an endpoint's variants run beyond one model: the containers of an inference
 * pipeline, in the order a request goes through them, and for a multi-model variant
 * the models each instance has loaded with the figures of every model served.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IEndpointVariant } from '../api/endpoints';
import { ITargetModelFigures, IVariantModels } from '../api/endpointModels';
import { ArtifactUri } from '../components/ArtifactUri';
import { useSignals } from '../components/useSignals';
import { absoluteTime, formatNumber, relativeTime } from '../format';
import { EndpointModel } from '../models/endpoint';
import { EndpointModelsModel } from '../models/endpointModels';

/** The variants that run an inference pipeline (more than one container). */
export function pipelineVariants(
  variants: readonly IEndpointVariant[]
): IEndpointVariant[] {
  return variants.filter(variant => (variant.Containers ?? []).length > 0);
}

/** Each pipeline variant's containers, in order: hostname, image, model data. */
export function PipelineContainers(props: {
  variants: readonly IEndpointVariant[];
  trans: TranslationBundle;
}): JSX.Element | null {
  const { trans } = props;
  const variants = pipelineVariants(props.variants);
  if (!variants.length) {
    return null;
  }
  return (
    <div className="jp-mlstudio-PipelineContainers">
      {variants.map(variant => (
        <table
          key={variant.VariantName}
          className="jp-mlstudio-Table jp-mlstudio-PipelineContainers-table"
          data-variant={variant.VariantName}
          aria-label={trans.__(
            'Containers of variant %1, in order',
            variant.VariantName
          )}
        >
          <caption>
            {trans.__(
              '%1 runs an inference pipeline: each container answers the next one',
              variant.VariantName
            )}
          </caption>
          <thead>
            <tr>
              <th scope="col" className="jp-mlstudio-Number">
                #
              </th>
              <th scope="col">{trans.__('Container')}</th>
              <th scope="col">{trans.__('Image')}</th>
              <th scope="col">{trans.__('Model data')}</th>
            </tr>
          </thead>
          <tbody>
            {(variant.Containers ?? []).map((container, index) => (
              <tr
                key={container.ContainerHostname}
                data-container={container.ContainerHostname}
              >
                <td className="jp-mlstudio-Number">{index + 1}</td>
                <th scope="row">
                  <code>{container.ContainerHostname}</code>
                </th>
                <td>
                  {container.Image ? (
                    <code>{container.Image}</code>
                  ) : (
                    <span className="jp-mlstudio-Muted">
                      {trans.__('script-mode serving')}
                    </span>
                  )}
                </td>
                <td>
                  {container.ModelDataUrl ? (
                    <ArtifactUri uri={container.ModelDataUrl} />
                  ) : (
                    <span className="jp-mlstudio-Muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

/** Seconds since the epoch as an ISO time (for the relative times). */
const iso = (seconds: number | null | undefined) =>
  seconds === null || seconds === undefined
    ? null
    : new Date(seconds * 1000).toISOString();

const milliseconds = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${formatNumber(value)} ms`;

/** One row of the models table: a model's figures on one instance. */
interface IModelRow {
  host: string;
  figures: ITargetModelFigures;
}

/** Loaded models first, then the most invoked, then by name. */
export function modelRows(variant: IVariantModels): IModelRow[] {
  const rows: IModelRow[] = [];
  for (const instance of variant.Instances) {
    for (const figures of instance.Models) {
      rows.push({ host: instance.Host, figures });
    }
  }
  return rows.sort(
    (a, b) =>
      Number(b.figures.Loaded) - Number(a.figures.Loaded) ||
      b.figures.Invocations - a.figures.Invocations ||
      a.figures.TargetModel.localeCompare(b.figures.TargetModel) ||
      a.host.localeCompare(b.host)
  );
}

function VariantModelsTable(props: {
  variant: IVariantModels;
  trans: TranslationBundle;
}): JSX.Element {
  const { variant, trans } = props;
  const rows = modelRows(variant);
  const several = variant.Instances.length > 1;
  return (
    <div
      className="jp-mlstudio-EndpointModels-variant"
      data-variant={variant.VariantName}
    >
      <h3>
        {trans.__('%1: multi-model', variant.VariantName)}
        {variant.MaxModels
          ? trans.__(' · at most %1 loaded per instance', variant.MaxModels)
          : ''}
      </h3>
      {variant.ModelDataUrl ? (
        <p className="jp-mlstudio-EndpointModels-prefix">
          {trans.__('Models under')} <ArtifactUri uri={variant.ModelDataUrl} />
        </p>
      ) : null}
      <ul className="jp-mlstudio-EndpointModels-loaded">
        {variant.Instances.map(instance => (
          <li key={instance.Host} data-host={instance.Host}>
            <strong>{instance.Host}</strong>{' '}
            {instance.LoadedModels.length
              ? trans.__(
                  'has loaded %1: %2',
                  instance.LoadedModels.length,
                  instance.LoadedModels.join(', ')
                )
              : trans.__('has loaded no model yet')}
          </li>
        ))}
      </ul>
      {rows.length ? (
        <div className="jp-mlstudio-EndpointModels-scroll">
          <table
            className="jp-mlstudio-Table jp-mlstudio-EndpointModels-table"
            aria-label={trans.__('Models of variant %1', variant.VariantName)}
          >
            <thead>
              <tr>
                <th scope="col">{trans.__('Model')}</th>
                {several ? <th scope="col">{trans.__('Instance')}</th> : null}
                <th scope="col">{trans.__('Loaded')}</th>
                <th scope="col" className="jp-mlstudio-Number">
                  {trans.__('Invocations')}
                </th>
                <th scope="col" className="jp-mlstudio-Number">
                  {trans.__('Errors 4xx / 5xx')}
                </th>
                <th scope="col" className="jp-mlstudio-Number">
                  {trans.__('Latency p50 / p90')}
                </th>
                <th scope="col" className="jp-mlstudio-Number">
                  {trans.__('Loads')}
                </th>
                <th scope="col" className="jp-mlstudio-Number">
                  {trans.__('Load time (mean)')}
                </th>
                <th scope="col" className="jp-mlstudio-Number">
                  {trans.__('Evictions')}
                </th>
                <th scope="col">{trans.__('Last invoked')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ host, figures }) => {
                const last = iso(figures.LastInvokedAt);
                return (
                  <tr
                    key={`${host}/${figures.TargetModel}`}
                    data-model={figures.TargetModel}
                    data-host={host}
                    data-loaded={figures.Loaded}
                    className={figures.Loaded ? 'jp-mod-loaded' : ''}
                  >
                    <th scope="row">
                      <code>{figures.TargetModel}</code>
                    </th>
                    {several ? <td>{host}</td> : null}
                    <td>
                      {figures.Loaded ? trans.__('loaded') : trans.__('no')}
                    </td>
                    <td className="jp-mlstudio-Number">
                      {formatNumber(figures.Invocations)}
                    </td>
                    <td className="jp-mlstudio-Number">
                      {`${formatNumber(figures.Invocation4XXErrors)} / ${formatNumber(figures.Invocation5XXErrors)}`}
                    </td>
                    <td className="jp-mlstudio-Number">
                      {`${milliseconds(figures.ModelLatency.P50)} / ${milliseconds(figures.ModelLatency.P90)}`}
                    </td>
                    <td className="jp-mlstudio-Number">
                      {formatNumber(figures.Loads)}
                    </td>
                    <td className="jp-mlstudio-Number">
                      {milliseconds(figures.LoadTime.Mean)}
                    </td>
                    <td className="jp-mlstudio-Number">
                      {formatNumber(figures.Evictions)}
                    </td>
                    <td>
                      {last ? (
                        <time dateTime={last} title={absoluteTime(last)}>
                          {relativeTime(last)}
                        </time>
                      ) : (
                        <span className="jp-mlstudio-Muted">—</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="jp-mlstudio-Muted">
          {trans.__(
            'No model invoked yet: name one with TargetModel in a request to load it.'
          )}
        </p>
      )}
    </div>
  );
}

/**
 * The multi-model variants' models: read when the view opens, when the endpoint's
 * configuration changes and each time its figures are read; nothing for an endpoint
 * without a multi-model variant.
 */
export function EndpointModelsPanel(props: {
  model: EndpointModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, trans } = props;
  const models = React.useMemo(
    () => new EndpointModelsModel(model.name),
    [model]
  );
  React.useEffect(() => () => models.dispose(), [models]);
  const config = model.endpoint?.EndpointConfigName ?? '';
  React.useEffect(() => {
    void models.refresh();
  }, [models, config]);
  React.useEffect(() => {
    const onFigures = () => {
      if (models.following) {
        void models.refresh();
      }
    };
    model.metricsChanged.connect(onFigures);
    return () => {
      model.metricsChanged.disconnect(onFigures);
    };
  }, [model, models]);
  useSignals(models.changed);
  const variants = models.multiModelVariants;
  if (!variants.length) {
    return null;
  }
  return (
    <section
      aria-label={trans.__('Models')}
      className="jp-mlstudio-EndpointModels"
    >
      <h2>{trans.__('Models')}</h2>
      {models.error ? (
        <p className="jp-mlstudio-Muted jp-mod-error" role="status">
          {trans.__('Could not read the models: %1', models.error)}
        </p>
      ) : null}
      {variants.map(variant => (
        <VariantModelsTable
          key={variant.VariantName}
          variant={variant}
          trans={trans}
        />
      ))}
    </section>
  );
}
