/**
 * A lineage as an ordered list: the entity asked about, then what produced it, nearest
 * first, each with its type, name, status and what it went into; an entity whose view
 * can be opened is a link.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type {
  ILineageEntity,
  ILineageQuery,
  LineageEntityType
} from '../api/lineage';
import {
  defaultLineageActions,
  downstreamOf,
  ILineageActions,
  LineageModel,
  openerOf
} from '../models/lineage';
import { ArtifactUri } from './ArtifactUri';
import { EmptyState } from './EmptyState';
import { ErrorState } from './ErrorState';
import { StatusBadge } from './StatusBadge';
import { useSignals } from './useSignals';
import { RefreshButton } from './RefreshButton';

/**
 * A lineage model for `query`, made again when `key` (default: the query) changes and
 * disposed with the component.
 */
export function useLineageModel(
  query: ILineageQuery,
  key: string = JSON.stringify(query)
): LineageModel {
  const model = React.useMemo(() => new LineageModel(query), [key]);
  React.useEffect(() => () => model.dispose(), [model]);
  return model;
}

/** The type of an entity in words. */
export function typeLabel(
  type: LineageEntityType,
  trans: TranslationBundle
): string {
  const labels: Record<LineageEntityType, string> = {
    Endpoint: trans.__('Endpoint'),
    EndpointConfig: trans.__('Endpoint config'),
    Model: trans.__('Model'),
    ModelPackage: trans.__('Model version'),
    TrainingJob: trans.__('Training job'),
    ProcessingJob: trans.__('Processing job'),
    TransformJob: trans.__('Transform job'),
    HyperParameterTuningJob: trans.__('Tuning job'),
    AutoMLJob: trans.__('AutoML job'),
    PipelineExecution: trans.__('Pipeline execution'),
    PipelineStep: trans.__('Pipeline step'),
    Artifact: trans.__('Artifact'),
    Run: trans.__('Run')
  };
  return labels[type] ?? type;
}

function relation(
  association: string,
  target: string,
  trans: TranslationBundle
): string {
  switch (association) {
    case 'Produced':
      return trans.__('produced %1', target);
    case 'ContributedTo':
      return trans.__('used by %1', target);
    case 'DerivedFrom':
      return trans.__('%1 was made from it', target);
    default:
      return trans.__('with %1', target);
  }
}

/** A short name for the entity an edge leads to ("training job train"). */
function shortName(entity: ILineageEntity, trans: TranslationBundle): string {
  const name =
    entity.Type === 'Artifact'
      ? entity.Name.slice(entity.Name.lastIndexOf('/') + 1) || entity.Name
      : entity.Name;
  return `${typeLabel(entity.Type, trans).toLowerCase()} ${name}`;
}

export interface ILineageProps {
  model: LineageModel;
  trans: TranslationBundle;
  /** What the entities open; the default set with `setLineageActions` otherwise. */
  actions?: ILineageActions | null;
  /** The empty state's text (nothing produced the entity, as far as is known). */
  emptyText?: string;
}

/** The lineage of `model`, read when first shown. */
export function Lineage(props: ILineageProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.changed);
  React.useEffect(() => {
    if (model.state.kind === 'loading') {
      void model.load();
    }
  }, [model]);
  const state = model.state;
  if (state.kind === 'loading') {
    return (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Reading the lineage…')}
      </p>
    );
  }
  if (state.kind === 'error') {
    return (
      <ErrorState
        title={trans.__('Could not read the lineage.')}
        message={state.message}
        retryLabel={trans.__('Retry')}
        onRetry={() => void model.load()}
      />
    );
  }
  const lineage = state.lineage;
  const actions =
    props.actions === undefined ? defaultLineageActions() : props.actions;
  const refresh = (
    <RefreshButton
      label={trans.__('Read the lineage again')}
      onRefresh={() => model.load()}
      className="jp-mlstudio-Lineage-refresh"
    />
  );
  if (lineage.Entities.length <= 1) {
    return (
      <div className="jp-mlstudio-Lineage">
        <EmptyState
          title={
            props.emptyText ??
            trans.__('Nothing is known about what produced it.')
          }
        >
          {trans.__(
            'Lineage follows the records: the model data a job wrote, the inputs it read, the pipeline step that started it.'
          )}
        </EmptyState>
        {refresh}
      </div>
    );
  }
  return (
    <div className="jp-mlstudio-Lineage">
      <ol className="jp-mlstudio-Lineage-list" aria-label={trans.__('Lineage')}>
        {lineage.Entities.map(entity => {
          const open = openerOf(entity, actions);
          const down = downstreamOf(lineage, entity);
          const deleted = entity.Details?.Deleted === 'true';
          return (
            <li
              key={entity.Id}
              className="jp-mlstudio-Lineage-item"
              data-type={entity.Type}
              data-depth={entity.Depth}
              style={
                { '--jp-mlstudio-lineage-depth': entity.Depth } as Record<
                  string,
                  number
                >
              }
            >
              <span className="jp-mlstudio-Lineage-type">
                {typeLabel(entity.Type, trans)}
              </span>
              <span className="jp-mlstudio-Lineage-name">
                {entity.Type === 'Artifact' ? (
                  <ArtifactUri uri={entity.Uri ?? entity.Name} />
                ) : open ? (
                  <button
                    type="button"
                    className="jp-mlstudio-Link"
                    title={trans.__('Open %1', entity.Name)}
                    onClick={open}
                  >
                    {entity.Name}
                  </button>
                ) : (
                  <span title={entity.Arn ?? entity.Name}>{entity.Name}</span>
                )}
              </span>
              {entity.Status ? <StatusBadge status={entity.Status} /> : null}
              {deleted ? (
                <span className="jp-mlstudio-Muted">{trans.__('deleted')}</span>
              ) : null}
              {down ? (
                <span className="jp-mlstudio-Lineage-relation jp-mlstudio-Muted">
                  {relation(
                    down.edge.AssociationType,
                    shortName(down.target, trans),
                    trans
                  )}
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
      {lineage.Truncated ? (
        <p className="jp-mlstudio-Muted">
          {trans.__('The lineage goes further than is shown here.')}
        </p>
      ) : null}
      {refresh}
    </div>
  );
}
