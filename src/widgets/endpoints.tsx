import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IEndpointSummary } from '../api/types';
import { StatusBadge, statusLabel } from '../components/StatusBadge';
import { absoluteTime, relativeTime } from '../format';
import { EndpointsModel } from '../models/endpoints';
import { SectionView, SectionWidget } from './section';

export interface IEndpointsSectionProps {
  model: EndpointsModel;
  trans: TranslationBundle;
}

/** Endpoints serving models, with their status. */
export function EndpointsSection(props: IEndpointsSectionProps): JSX.Element {
  const { model, trans } = props;
  return (
    <SectionView<IEndpointSummary>
      model={model}
      trans={trans}
      texts={{
        noun: trans.__('endpoints'),
        emptyTitle: trans.__('No endpoints yet'),
        emptyBody: trans.__(
          'Models you deploy from a notebook (for example with model.deploy()) appear here while they serve predictions on this machine.'
        )
      }}
      summary={endpoints => {
        const serving = endpoints.filter(
          endpoint => endpoint.EndpointStatus === 'InService'
        ).length;
        return trans.__(
          '%1 · %2 in service',
          trans._n('%1 endpoint', '%1 endpoints', endpoints.length),
          serving
        );
      }}
      itemKey={endpoint => endpoint.EndpointName}
      itemLabel={endpoint =>
        trans.__(
          '%1, %2',
          endpoint.EndpointName,
          statusLabel(endpoint.EndpointStatus)
        )
      }
      renderItem={endpoint => (
        <>
          <div className="jp-mlstudio-Row-main">
            <span
              className="jp-mlstudio-Row-name"
              title={trans.__(
                '%1 (configuration %2)',
                endpoint.EndpointName,
                endpoint.EndpointConfigName
              )}
            >
              {endpoint.EndpointName}
            </span>
            <StatusBadge status={endpoint.EndpointStatus} />
          </div>
          <div className="jp-mlstudio-Row-detail">
            <time
              dateTime={endpoint.CreationTime}
              title={absoluteTime(endpoint.CreationTime)}
            >
              {trans.__('created %1', relativeTime(endpoint.CreationTime))}
            </time>
          </div>
          {endpoint.FailureReason ? (
            <div
              className="jp-mlstudio-Row-failure"
              title={endpoint.FailureReason}
            >
              {endpoint.FailureReason}
            </div>
          ) : null}
        </>
      )}
    />
  );
}

export function createEndpointsWidget(
  model: EndpointsModel,
  trans: TranslationBundle
): SectionWidget {
  return new SectionWidget(
    () => <EndpointsSection model={model} trans={trans} />,
    { id: 'mlstudio-endpoints', label: trans.__('Endpoints') }
  );
}
