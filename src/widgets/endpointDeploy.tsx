/**
 * The Deploy dialog of a completed training job or an approved model version: endpoint
 * name, variant name, instance count and data capture; then the model, configuration
 * and endpoint are created and the endpoint's view opens (it shows the endpoint coming
 * into service).
 */
import {
  Dialog,
  Notification,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { IJob } from '../api/types';
import { ArtifactUri, withArtifactRoot } from '../components/ArtifactUri';
import { ArtifactRoot } from '../models/artifactRoot';
import {
  checkDeployOptions,
  deploy,
  DeployError,
  DeployOptionError,
  defaultDeployOptions,
  IDeployOptions,
  IDeploySource,
  jobDeploySource,
  MAX_NAME_LENGTH
} from '../models/endpointDeploy';

type Errors = ReturnType<typeof checkDeployOptions>;

/** Whether a script-mode code location is an archive (`sourcedir.tar.gz`), not a folder. */
function archived(location: string | undefined): location is string {
  return !!location && /\.(tar\.gz|tgz)$/.test(location);
}

function errorText(error: DeployOptionError, trans: TranslationBundle): string {
  switch (error) {
    case 'name':
      return trans.__(
        'Use letters, digits and hyphens; start and end with a letter or digit.'
      );
    case 'name-length':
      return trans.__('At most %1 characters.', MAX_NAME_LENGTH);
    default:
      return trans.__('A whole number from 1 to 16.');
  }
}

/** The dialog's body: the options as fields, and what is deployed. */
export class DeployForm
  extends ReactWidget
  implements Dialog.IBodyWidget<IDeployOptions>
{
  constructor(
    private _source: IDeploySource,
    private _options: IDeployOptions,
    private _errors: Errors,
    private _trans: TranslationBundle,
    private _artifactRoot: ArtifactRoot | null = null
  ) {
    super();
    this.addClass('jp-mlstudio-DeployForm');
  }

  /** The options as the fields say now. */
  getValue(): IDeployOptions {
    const field = (name: string) =>
      this.node.querySelector<HTMLInputElement>(`[name="${name}"]`);
    const count = field('instanceCount')?.value.trim() ?? '';
    return {
      endpointName: field('endpointName')?.value.trim() ?? '',
      variantName: field('variantName')?.value.trim() ?? '',
      instanceCount: count === '' ? NaN : Number(count),
      captureData: !!field('captureData')?.checked
    };
  }

  protected render(): JSX.Element {
    return withArtifactRoot(this._artifactRoot, this._body());
  }

  private _body(): JSX.Element {
    const trans = this._trans;
    const options = this._options;
    const errors = this._errors;
    const { container } = this._source;
    const environment = container.Environment;
    const text = (
      name: 'endpointName' | 'variantName' | 'instanceCount',
      label: string,
      value: string,
      type = 'text'
    ) => (
      <label className="jp-mlstudio-DeployForm-field">
        <span>{label}</span>
        <input
          className="jp-mod-styled"
          name={name}
          type={type}
          min={type === 'number' ? 1 : undefined}
          max={type === 'number' ? 16 : undefined}
          defaultValue={value}
          aria-invalid={!!errors[name]}
          spellCheck={false}
        />
        {errors[name] ? (
          <span className="jp-mlstudio-FieldError" role="alert">
            {errorText(errors[name]!, trans)}
          </span>
        ) : null}
      </label>
    );
    return (
      <div className="jp-mlstudio-DeployForm-body">
        {text('endpointName', trans.__('Endpoint name'), options.endpointName)}
        {text('variantName', trans.__('Variant name'), options.variantName)}
        {text(
          'instanceCount',
          trans.__('Instances'),
          Number.isFinite(options.instanceCount)
            ? String(options.instanceCount)
            : '',
          'number'
        )}
        <label className="jp-mlstudio-DeployForm-check">
          <input
            type="checkbox"
            name="captureData"
            defaultChecked={options.captureData}
          />
          {trans.__('Capture requests and answers')}
        </label>
        <dl className="jp-mlstudio-DeployForm-what">
          <dt>{trans.__('Model')}</dt>
          <dd>
            <ArtifactUri uri={container.ModelDataUrl ?? ''} />
          </dd>
          {container.Image ? (
            <>
              <dt>{trans.__('Image')}</dt>
              <dd>
                <code>{container.Image}</code>
              </dd>
            </>
          ) : null}
          {this._source.instanceType !== 'local' ? (
            <>
              <dt>{trans.__('Instance type')}</dt>
              <dd>{this._source.instanceType}</dd>
            </>
          ) : null}
          {environment.SAGEMAKER_PROGRAM ? (
            <>
              <dt>{trans.__('Inference code')}</dt>
              <dd>
                {archived(environment.SAGEMAKER_SUBMIT_DIRECTORY) ? (
                  <>
                    <code>{environment.SAGEMAKER_PROGRAM}</code>{' '}
                    {trans.__('in')}{' '}
                    <ArtifactUri uri={environment.SAGEMAKER_SUBMIT_DIRECTORY} />
                  </>
                ) : (
                  <ArtifactUri
                    uri={
                      environment.SAGEMAKER_SUBMIT_DIRECTORY
                        ? `${environment.SAGEMAKER_SUBMIT_DIRECTORY}/${environment.SAGEMAKER_PROGRAM}`
                        : environment.SAGEMAKER_PROGRAM
                    }
                  />
                )}
              </dd>
            </>
          ) : null}
        </dl>
      </div>
    );
  }
}

function stepText(step: DeployError['step'], trans: TranslationBundle): string {
  switch (step) {
    case 'model':
      return trans.__('Could not create the model');
    case 'config':
      return trans.__('Could not create the endpoint configuration');
    default:
      return trans.__('Could not create the endpoint');
  }
}

function dialogTitle(source: IDeploySource, trans: TranslationBundle): string {
  return source.kind === 'model-package'
    ? trans.__('Deploy version %1 of “%2”', source.version ?? '', source.name)
    : trans.__('Deploy the model of “%1”', source.name);
}

/**
 * Ask for the options to deploy a completed training job's model (again while they are
 * refused), deploy, then call `onDeployed` with the endpoint's name. Answers the name,
 * or null when cancelled or failed. The model's URI prints relative to `artifactRoot`
 * when it lies under it.
 */
export function showDeployDialog(
  job: IJob,
  trans: TranslationBundle,
  onDeployed?: (endpointName: string) => void,
  artifactRoot: ArtifactRoot | null = null
): Promise<string | null> {
  return showDeploySourceDialog(
    jobDeploySource(job),
    trans,
    onDeployed,
    artifactRoot
  );
}

/**
 * The Deploy dialog of any source (e.g. an approved model version): as
 * `showDeployDialog`, with the model, image and environment the source names.
 */
export async function showDeploySourceDialog(
  source: IDeploySource,
  trans: TranslationBundle,
  onDeployed?: (endpointName: string) => void,
  artifactRoot: ArtifactRoot | null = null
): Promise<string | null> {
  let options = defaultDeployOptions(source);
  let errors: Errors = {};
  for (;;) {
    const result = await showDialog<IDeployOptions>({
      title: dialogTitle(source, trans),
      body: new DeployForm(source, options, errors, trans, artifactRoot),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Deploy') })
      ],
      focusNodeSelector: 'input[name="endpointName"]'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    options = result.value;
    errors = checkDeployOptions(options);
    if (Object.keys(errors).length === 0) {
      break;
    }
  }
  const id = Notification.emit(
    trans.__('Deploying “%1”…', options.endpointName),
    'in-progress',
    { autoClose: false }
  );
  try {
    const endpoint = await deploy(source, options);
    Notification.update({
      id,
      message: trans.__(
        'Endpoint “%1” is being created.',
        endpoint.EndpointName
      ),
      type: 'success',
      autoClose: 5000
    });
    onDeployed?.(endpoint.EndpointName);
    return endpoint.EndpointName;
  } catch (error) {
    Notification.dismiss(id);
    const failure = error instanceof DeployError ? error : null;
    await showErrorMessage(
      failure ? stepText(failure.step, trans) : trans.__('Could not deploy'),
      failure ? failure.error : (error as Error)
    );
    return null;
  }
}
