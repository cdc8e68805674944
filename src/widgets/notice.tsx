import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { MissingExtension } from '../models/studio';

/** Shell commands are shown verbatim, never translated. */
const INSTALL_COMMAND = 'pip install jupyter_mlstudio';
const ENABLE_COMMAND = 'jupyter server extension enable jupyter_mlstudio';

export interface IMissingExtensionNoticeProps {
  missing: MissingExtension;
  trans: TranslationBundle;
  onRetry: () => void;
}

/** The one message the sidebar shows when the API does not answer. */
export function MissingExtensionNotice(
  props: IMissingExtensionNoticeProps
): JSX.Element {
  const { missing, trans } = props;
  const unreachable = missing.reason === 'unreachable';
  return (
    <div className="jp-mlstudio-Notice" role="alert">
      <p className="jp-mlstudio-Notice-title">
        {unreachable
          ? trans.__('ML Studio cannot reach the Jupyter server.')
          : trans.__('The jupyter_mlstudio server extension is not enabled.')}
      </p>
      {unreachable ? (
        <p>
          {trans.__(
            'Check that the server is still running, then retry. (%1)',
            missing.message
          )}
        </p>
      ) : (
        <>
          <p>
            {trans.__(
              'The ML Studio sidebar needs its server extension. Install it in the environment that runs JupyterLab, then restart JupyterLab:'
            )}
          </p>
          <pre className="jp-mlstudio-Notice-code">{INSTALL_COMMAND}</pre>
          <p>
            {trans.__(
              'If it is installed but disabled, enable it and restart:'
            )}
          </p>
          <pre className="jp-mlstudio-Notice-code">{ENABLE_COMMAND}</pre>
        </>
      )}
      <button
        type="button"
        className="jp-Button jp-mod-styled jp-mod-accept"
        onClick={props.onRetry}
      >
        {trans.__('Retry')}
      </button>
    </div>
  );
}

/** Hosts the notice in the sidebar; re-rendered when the studio's state changes. */
export class NoticeWidget extends ReactWidget {
  constructor(
    private _trans: TranslationBundle,
    private _onRetry: () => void
  ) {
    super();
    this.addClass('jp-mlstudio-NoticeWidget');
  }

  get missing(): MissingExtension | null {
    return this._missing;
  }
  set missing(value: MissingExtension | null) {
    this._missing = value;
    this.update();
  }

  protected render(): JSX.Element | null {
    return this._missing ? (
      <MissingExtensionNotice
        missing={this._missing}
        trans={this._trans}
        onRetry={this._onRetry}
      />
    ) : null;
  }

  private _missing: MissingExtension | null = null;
}
