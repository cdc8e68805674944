/**
 * Deploy best of an AutoML job: the Deploy dialog of a training job (`DeployForm`:
 * endpoint and variant names, instances, data capture), then the candidate's containers
 * as one inference-pipeline model, an endpoint configuration and the endpoint; the
 * endpoint's view opens.
 */
import {
  Dialog,
  Notification,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import { IAutoMLCandidate } from '../api/automl';
import { ArtifactRoot } from '../models/artifactRoot';
import { candidateDeploySource, deployCandidate } from '../models/automlDeploy';
import {
  checkDeployOptions,
  defaultDeployOptions,
  DeployError,
  IDeployOptions
} from '../models/endpointDeploy';
import { DeployForm } from './endpointDeploy';

function stepText(step: DeployError['step'], trans: TranslationBundle): string {
  switch (step) {
    case 'model':
      return trans.__('Could not create the pipeline model');
    case 'config':
      return trans.__('Could not create the endpoint configuration');
    default:
      return trans.__('Could not create the endpoint');
  }
}

/**
 * Ask for the options to deploy `candidate` (again while they are refused), deploy
 * its containers, then call `onDeployed` with the endpoint's name. Answers the name,
 * or null when cancelled or failed.
 */
export async function showCandidateDeployDialog(
  jobName: string,
  candidate: IAutoMLCandidate,
  trans: TranslationBundle,
  onDeployed?: (endpointName: string) => void,
  artifactRoot: ArtifactRoot | null = null
): Promise<string | null> {
  const source = candidateDeploySource(candidate);
  let options = defaultDeployOptions(source);
  let errors: ReturnType<typeof checkDeployOptions> = {};
  for (;;) {
    const result = await showDialog<IDeployOptions>({
      title: trans.__(
        'Deploy the best candidate of “%1”: %2',
        jobName,
        candidate.CandidateName
      ),
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
    const endpoint = await deployCandidate(candidate, options);
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
