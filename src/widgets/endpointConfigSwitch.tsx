/**
 * Switching an endpoint to another endpoint configuration (UpdateEndpoint, blue/green):
 * the configurations the studio has, each with its variants, and a button that sends
 * the update. The model lists them when the view opens, after each change of
 * configuration and each time the list gets the focus, so a configuration made
 * meanwhile in a notebook shows up.
 */
import { showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IEndpoint, IEndpointConfig } from '../api/endpoints';
import { useSignals } from '../components/useSignals';
import { EndpointModel } from '../models/endpoint';
import { formatShare, trafficShares } from '../models/endpointWeights';

/**
 * "blue: model-a, 1 instance, 75% of requests · green: model-b, 2 instances, 25% of
 * requests": a configuration's variants and the share of traffic each would get.
 */
export function describeConfig(
  config: IEndpointConfig,
  trans: TranslationBundle
): string {
  const variants = config.ProductionVariants;
  const weights: Record<string, number> = {};
  for (const v of variants) {
    weights[v.VariantName] = v.InitialVariantWeight;
  }
  const shares = trafficShares(weights);
  return variants
    .map(v =>
      trans._n(
        '%2: %3, %1 instance, %4 of requests',
        '%2: %3, %1 instances, %4 of requests',
        v.InitialInstanceCount,
        v.VariantName,
        v.ModelName,
        formatShare(shares[v.VariantName])
      )
    )
    .join(' · ');
}

export function ConfigSwitch(props: {
  model: EndpointModel;
  endpoint: IEndpoint;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, endpoint, trans } = props;
  const current = endpoint.EndpointConfigName;
  const configs = model.configs;
  useSignals(configs.stateChanged);
  const listing = configs.state;
  const [chosen, setChosen] = React.useState('');
  const [switching, setSwitching] = React.useState(false);
  const listAgain = () => void configs.refresh();

  React.useEffect(listAgain, [configs, current]);

  if (listing.kind === 'loading') {
    return (
      <p className="jp-mlstudio-Muted" role="status" aria-busy="true">
        {trans.__('Loading endpoint configurations…')}
      </p>
    );
  }
  if (listing.kind === 'error') {
    return (
      <p className="jp-mlstudio-FieldError" role="alert">
        {trans.__(
          'Could not list endpoint configurations: %1',
          listing.message
        )}{' '}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={listAgain}
        >
          {trans.__('Retry')}
        </button>
      </p>
    );
  }
  const others = listing.configs.filter(c => c.EndpointConfigName !== current);
  if (others.length === 0) {
    return (
      <p className="jp-mlstudio-Muted jp-mlstudio-ConfigSwitch-empty">
        {trans.__(
          'No other endpoint configuration to switch to. Create one from a notebook, e.g. with Session().create_endpoint_config_from_existing(…).'
        )}{' '}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject jp-mlstudio-ListConfigs"
          onClick={listAgain}
        >
          {trans.__('Look again')}
        </button>
      </p>
    );
  }
  const target = others.find(c => c.EndpointConfigName === chosen) ?? null;
  const inService = endpoint.EndpointStatus === 'InService';
  const apply = async () => {
    if (!target) {
      return;
    }
    setSwitching(true);
    try {
      await model.switchConfig(target.EndpointConfigName);
      setChosen('');
    } catch (error) {
      await showErrorMessage(
        trans.__('Could not switch the configuration'),
        error as Error
      );
    } finally {
      setSwitching(false);
    }
  };
  const selectId = `jp-mlstudio-config-${model.name}`;
  return (
    <form
      className="jp-mlstudio-ConfigSwitch"
      onSubmit={event => {
        event.preventDefault();
        void apply();
      }}
    >
      <label htmlFor={selectId}>{trans.__('Switch to configuration')}</label>
      <select
        id={selectId}
        className="jp-mod-styled jp-mlstudio-Select jp-mlstudio-ConfigSelect"
        value={chosen}
        disabled={switching}
        onFocus={listAgain}
        onChange={event => setChosen(event.target.value)}
      >
        <option value="">{trans.__('Choose a configuration…')}</option>
        {others.map(config => (
          <option
            key={config.EndpointConfigName}
            value={config.EndpointConfigName}
            title={describeConfig(config, trans)}
          >
            {config.EndpointConfigName}
          </option>
        ))}
      </select>
      <button
        type="submit"
        className="jp-Button jp-mod-styled jp-mod-accept jp-mlstudio-SwitchConfig"
        disabled={!target || switching || !inService}
        title={
          inService
            ? trans.__(
                'Blue/green: the current instances answer until the new ones are ready'
              )
            : trans.__('The endpoint is not in service.')
        }
      >
        {switching ? trans.__('Switching…') : trans.__('Switch')}
      </button>
      {target ? (
        <span
          className="jp-mlstudio-Muted jp-mlstudio-ConfigSwitch-preview"
          role="status"
        >
          {describeConfig(target, trans)}
        </span>
      ) : null}
    </form>
  );
}
