/**
 * What an endpoint's data capture recorded: the newest requests with their input,
 * output and variant, for one variant or all.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import {
  dataCaptureConfig,
  ICapturedData,
  ICaptureRecord
} from '../api/endpoints';
import { ArtifactUri } from '../components/ArtifactUri';
import { useSignals } from '../components/useSignals';
import { absoluteTime, relativeTime } from '../format';
import { capturesData, EndpointModel } from '../models/endpoint';
import { RefreshButton } from '../components/RefreshButton';

/** The most characters of a captured body shown in the list. */
const PREVIEW_LENGTH = 300;

/** A captured body as text: base64 decoded when it is text, else its size. */
export function capturedText(data: ICapturedData | undefined): string {
  if (!data) {
    return '';
  }
  if (data.encoding !== 'BASE64') {
    return data.data;
  }
  try {
    const binary = atob(data.data);
    const bytes = Uint8Array.from(binary, c => c.charCodeAt(0));
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // eslint-disable-next-line no-control-regex
    return /[\x00-\x08\x0e-\x1f]/.test(text) ? `(${bytes.length} bytes)` : text;
  } catch {
    return `(${Math.floor((data.data.length * 3) / 4)} bytes)`;
  }
}

function Captured(props: { data: ICapturedData | undefined }): JSX.Element {
  const text = capturedText(props.data);
  const shown =
    text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
  return (
    <td className="jp-mlstudio-Captured">
      <code title={text.length > PREVIEW_LENGTH ? text : undefined}>
        {shown}
      </code>
      {props.data?.observedContentType ? (
        <span className="jp-mlstudio-Captured-type">
          {props.data.observedContentType}
        </span>
      ) : null}
    </td>
  );
}

export function EndpointCaptures(props: {
  model: EndpointModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignals(model.capturesChanged, model.stateChanged);
  const endpoint = model.endpoint;
  if (!endpoint) {
    return <></>;
  }
  if (!capturesData(endpoint)) {
    return (
      <p className="jp-mlstudio-Muted">
        {trans.__(
          'Data capture is off for this endpoint. Deploy it with a DataCaptureConfig (EnableCapture) to record its requests and answers.'
        )}
      </p>
    );
  }
  const records = model.captures;
  const config = dataCaptureConfig(endpoint);
  return (
    <div className="jp-mlstudio-Captures">
      <div className="jp-mlstudio-Captures-toolbar">
        <select
          className="jp-mod-styled jp-mlstudio-Select jp-mlstudio-Captures-variant"
          aria-label={trans.__('Captured requests of variant')}
          value={model.captureVariant}
          onChange={event => (model.captureVariant = event.target.value)}
        >
          <option value="">{trans.__('All variants')}</option>
          {model.variants.map(variant => (
            <option key={variant.VariantName} value={variant.VariantName}>
              {variant.VariantName}
            </option>
          ))}
        </select>
        <span className="jp-mlstudio-Muted jp-mlstudio-Captures-where">
          {config?.InitialSamplingPercentage !== undefined
            ? trans.__('%1% sampled', config.InitialSamplingPercentage)
            : ''}
          {config?.DestinationS3Uri ? (
            <>
              {' · '}
              <ArtifactUri uri={config.DestinationS3Uri} />
            </>
          ) : null}
        </span>
        <RefreshButton
          label={trans.__('Refresh captured requests')}
          onRefresh={() => model.refreshCaptures()}
        />
      </div>
      {model.capturesError ? (
        <p className="jp-mlstudio-Muted jp-mod-error" role="alert">
          {trans.__(
            'Could not read the captured requests: %1',
            model.capturesError
          )}
        </p>
      ) : null}
      {records === null ? (
        <p className="jp-mlstudio-Muted" role="status">
          {trans.__('Loading captured requests…')}
        </p>
      ) : records.length === 0 ? (
        <p className="jp-mlstudio-Muted" role="status">
          {trans.__(
            'No requests captured yet. Captured requests are written in batches, so they may show a few seconds after the request.'
          )}
        </p>
      ) : (
        <div className="jp-mlstudio-Captures-scroller">
          <table className="jp-mlstudio-Table jp-mlstudio-CapturesTable">
            <thead>
              <tr>
                <th>{trans.__('Time')}</th>
                <th>{trans.__('Variant')}</th>
                <th>{trans.__('Input')}</th>
                <th>{trans.__('Output')}</th>
              </tr>
            </thead>
            <tbody>
              {records.map((record: ICaptureRecord) => (
                <tr
                  key={record.eventMetadata.eventId}
                  data-event={record.eventMetadata.eventId}
                >
                  <td
                    className="jp-mlstudio-Captures-time"
                    title={absoluteTime(record.eventMetadata.inferenceTime)}
                  >
                    {relativeTime(record.eventMetadata.inferenceTime)}
                  </td>
                  <td>{record.eventMetadata.variantName ?? ''}</td>
                  <Captured data={record.captureData.endpointInput} />
                  <Captured data={record.captureData.endpointOutput} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
