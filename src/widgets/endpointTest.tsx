/**
 * The test panel of an endpoint: a request body typed as CSV or JSON, sent to the
 * endpoint's invocations route (to a variant picked by weight, or a chosen one); shows
 * the status, the variant that answered, the round trip and the model's answer.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IInvocation, IInvocationResult } from '../api/endpoints';
import { StudioApiError } from '../api/request';
import { useSignals } from '../components/useSignals';
import { EndpointModel, isServing } from '../models/endpoint';
import { formatMs } from './endpointFigures';

/** The content types the panel can send as text. */
export const TEXT_CONTENT_TYPES = ['text/csv', 'application/json'];

/** An example body per content type (the placeholder of the body). */
export const EXAMPLE_BODIES: Record<string, string> = {
  'text/csv': '5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3',
  'application/json': '{"instances": [[5.1, 3.5, 1.4, 0.2]]}'
};

/** What the panel's fields say. */
export interface ITestRequest {
  contentType: string;
  /** '' for the model's default. */
  accept: string;
  /** '' to let the weights pick. */
  targetVariant: string;
  body: string;
}

/** The invocation a filled-in panel sends. */
export function testInvocation(request: ITestRequest): IInvocation {
  return {
    body: request.body,
    contentType: request.contentType,
    accept: request.accept || undefined,
    targetVariant: request.targetVariant || undefined
  };
}

/** JSON this short stays on one line. */
const ONE_LINE = 80;

/** The body as it is best read: JSON on one line or indented, anything else as it came. */
export function displayBody(body: string, contentType: string): string {
  if (contentType.includes('json')) {
    try {
      const value = JSON.parse(body);
      const compact = JSON.stringify(value);
      return compact.length <= ONE_LINE
        ? compact
        : JSON.stringify(value, null, 2);
    } catch {
      return body;
    }
  }
  return body;
}

type Outcome =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'answer'; result: IInvocationResult }
  | { kind: 'error'; status: number | null; code: string; message: string };

export function TestPanel(props: {
  model: EndpointModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignals(model.stateChanged);
  const [request, setRequest] = React.useState<ITestRequest>({
    contentType: 'text/csv',
    accept: '',
    targetVariant: '',
    body: ''
  });
  const [outcome, setOutcome] = React.useState<Outcome>({ kind: 'idle' });
  const endpoint = model.endpoint;
  const serving = !!endpoint && isServing(endpoint);
  const variants = model.variants;
  const set = (change: Partial<ITestRequest>) =>
    setRequest(previous => ({ ...previous, ...change }));
  const canSend =
    serving && outcome.kind !== 'sending' && request.body.trim() !== '';

  const send = async () => {
    if (!canSend) {
      return;
    }
    setOutcome({ kind: 'sending' });
    try {
      const result = await model.invoke(testInvocation(request));
      setOutcome({ kind: 'answer', result });
    } catch (error) {
      setOutcome(
        error instanceof StudioApiError
          ? {
              kind: 'error',
              status: error.status,
              code: error.code,
              message: error.message
            }
          : {
              kind: 'error',
              status: null,
              code: '',
              message: error instanceof Error ? error.message : String(error)
            }
      );
    }
  };

  const id = `jp-mlstudio-test-${model.name}`;
  return (
    <form
      className="jp-mlstudio-TestPanel"
      onSubmit={event => {
        event.preventDefault();
        void send();
      }}
    >
      <div className="jp-mlstudio-TestPanel-fields">
        <label className="jp-mlstudio-Field" htmlFor={`${id}-type`}>
          {trans.__('Content type')}
        </label>
        <select
          id={`${id}-type`}
          className="jp-mod-styled jp-mlstudio-Select jp-mlstudio-TestPanel-type"
          value={request.contentType}
          onChange={event => set({ contentType: event.target.value })}
        >
          {TEXT_CONTENT_TYPES.map(type => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
          <option value="application/x-npy" disabled>
            {trans.__('application/x-npy (binary: use a Predictor)')}
          </option>
        </select>
        <label className="jp-mlstudio-Field" htmlFor={`${id}-accept`}>
          {trans.__('Accept')}
        </label>
        <select
          id={`${id}-accept`}
          className="jp-mod-styled jp-mlstudio-Select jp-mlstudio-TestPanel-accept"
          value={request.accept}
          onChange={event => set({ accept: event.target.value })}
        >
          <option value="">{trans.__("The model's default")}</option>
          {TEXT_CONTENT_TYPES.map(type => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
        <label className="jp-mlstudio-Field" htmlFor={`${id}-variant`}>
          {trans.__('Variant')}
        </label>
        <select
          id={`${id}-variant`}
          className="jp-mod-styled jp-mlstudio-Select jp-mlstudio-TestPanel-variant"
          value={request.targetVariant}
          onChange={event => set({ targetVariant: event.target.value })}
        >
          <option value="">{trans.__('Picked by weight')}</option>
          {variants.map(variant => (
            <option key={variant.VariantName} value={variant.VariantName}>
              {variant.VariantName}
            </option>
          ))}
        </select>
      </div>
      <label className="jp-mlstudio-TestPanel-bodyLabel" htmlFor={`${id}-body`}>
        {trans.__('Request body')}
      </label>
      <textarea
        id={`${id}-body`}
        className="jp-mod-styled jp-mlstudio-TestPanel-body"
        rows={5}
        spellCheck={false}
        placeholder={EXAMPLE_BODIES[request.contentType]}
        value={request.body}
        onChange={event => set({ body: event.target.value })}
        onKeyDown={event => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            void send();
          }
        }}
      />
      <div className="jp-mlstudio-TestPanel-actions">
        <button
          type="submit"
          className="jp-Button jp-mod-styled jp-mod-accept jp-mlstudio-TestPanel-send"
          disabled={!canSend}
          title={
            serving
              ? trans.__('Send the request (Ctrl+Enter)')
              : trans.__('The endpoint is not in service.')
          }
        >
          {outcome.kind === 'sending' ? trans.__('Sending…') : trans.__('Send')}
        </button>
        {!serving ? (
          <span className="jp-mlstudio-Muted">
            {endpoint?.EndpointStatus === 'Failed'
              ? trans.__(
                  'The endpoint failed to start: see why above and in its logs below.'
                )
              : trans.__(
                  'Requests can be sent once the endpoint is in service.'
                )}
          </span>
        ) : null}
      </div>
      <Answer outcome={outcome} trans={trans} />
    </form>
  );
}

function Answer(props: {
  outcome: Outcome;
  trans: TranslationBundle;
}): JSX.Element {
  const { outcome, trans } = props;
  let summary: React.ReactNode = (
    <span className="jp-mlstudio-Muted">
      {trans.__('The model’s answer appears here.')}
    </span>
  );
  let body = '';
  let failed = false;
  if (outcome.kind === 'sending') {
    summary = <span className="jp-mlstudio-Muted">{trans.__('Sending…')}</span>;
  } else if (outcome.kind === 'answer') {
    const { result } = outcome;
    summary = (
      <>
        <span className="jp-mlstudio-Answer-status" data-status={result.status}>
          {result.status}
        </span>
        <span className="jp-mlstudio-Answer-variant">
          {trans.__('variant %1', result.variant || '?')}
        </span>
        <span className="jp-mlstudio-Answer-time">
          {formatMs(result.milliseconds)}
        </span>
        {result.contentType ? (
          <code className="jp-mlstudio-Answer-type">{result.contentType}</code>
        ) : null}
      </>
    );
    body = displayBody(result.body, result.contentType);
  } else if (outcome.kind === 'error') {
    failed = true;
    summary = (
      <>
        {outcome.status !== null ? (
          <span
            className="jp-mlstudio-Answer-status jp-mod-error"
            data-status={outcome.status}
          >
            {outcome.status}
          </span>
        ) : null}
        {outcome.code ? (
          <span className="jp-mlstudio-Answer-code">{outcome.code}</span>
        ) : null}
      </>
    );
    body = outcome.message;
  }
  return (
    <div
      className={`jp-mlstudio-Answer${failed ? ' jp-mod-error' : ''}`}
      aria-live="polite"
    >
      <div className="jp-mlstudio-Answer-summary">{summary}</div>
      <pre
        className="jp-mlstudio-Answer-body"
        aria-label={trans.__('Response body')}
      >
        {body}
      </pre>
    </div>
  );
}
