/**
 * Deploying an AutoML candidate: its inference containers (the feature transform, then
 * the algorithm) as one inference-pipeline model, then an endpoint configuration and
 * an endpoint named as the Deploy dialog of a training job names them
 * (`models/endpointDeploy.ts`).
 */
import {
  createPipelineModel,
  IAutoMLCandidate,
  ICreatePipelineModelRequest,
  IInferenceContainer
} from '../api/automl';
import {
  createEndpoint,
  createEndpointConfig,
  IEndpointSummary
} from '../api/endpoints';
import {
  deployRequests,
  DeployError,
  fitName,
  IDeployOptions,
  IDeployRequests,
  IDeploySource
} from './endpointDeploy';

/** The environment variable that names a candidate container's role. */
const ROLE = 'MLSTUDIO_AUTOML_CONTAINER';

/** Whether the candidate has containers to deploy (it completed and has them). */
export function canDeployCandidate(
  candidate: IAutoMLCandidate | null | undefined
): boolean {
  return (
    !!candidate &&
    candidate.CandidateStatus === 'Completed' &&
    !!candidate.InferenceContainers?.length
  );
}

/** A container's hostname in the pipeline: its role, else its position. */
export function containerHostname(
  container: IInferenceContainer,
  index: number
): string {
  return container.Environment?.[ROLE] || `container-${index + 1}`;
}

/**
 * What the Deploy dialog shows of a candidate: its last container (the algorithm's
 * model and image), named after the candidate; the endpoint named `<candidate>-endpoint`.
 */
export function candidateDeploySource(
  candidate: IAutoMLCandidate
): IDeploySource {
  const containers = candidate.InferenceContainers ?? [];
  const last = containers[containers.length - 1] ?? {};
  return {
    kind: 'training-job',
    name: candidate.CandidateName,
    container: {
      ...(last.ModelDataUrl ? { ModelDataUrl: last.ModelDataUrl } : {}),
      ...(last.Image ? { Image: last.Image } : {}),
      Environment: { ...(last.Environment ?? {}) }
    },
    instanceType: 'local',
    endpointName: fitName(candidate.CandidateName, '-endpoint')
  };
}

/** The three create requests; the model serves the candidate's containers in order. */
export interface ICandidateDeployRequests extends Omit<
  IDeployRequests,
  'model'
> {
  model: ICreatePipelineModelRequest;
}

/** The requests that deploy `candidate` with `options` (names as for a training job). */
export function candidateDeployRequests(
  candidate: IAutoMLCandidate,
  options: IDeployOptions,
  stamp?: string
): ICandidateDeployRequests {
  const single = deployRequests(
    candidateDeploySource(candidate),
    options,
    stamp
  );
  return {
    model: {
      ModelName: single.model.ModelName,
      Containers: (candidate.InferenceContainers ?? []).map(
        (container, index) => ({
          ContainerHostname: containerHostname(container, index),
          ...(container.Image ? { Image: container.Image } : {}),
          ...(container.ModelDataUrl
            ? { ModelDataUrl: container.ModelDataUrl }
            : {}),
          Environment: { ...(container.Environment ?? {}) }
        })
      ),
      InferenceExecutionConfig: { Mode: 'Serial' }
    },
    config: single.config,
    endpoint: single.endpoint
  };
}

/**
 * Create the pipeline model, the configuration and the endpoint, in that order.
 *
 * @throws {DeployError} naming the step that failed (what was created before stays).
 */
export async function deployCandidate(
  candidate: IAutoMLCandidate,
  options: IDeployOptions
): Promise<IEndpointSummary> {
  const requests = candidateDeployRequests(candidate, options);
  const step = async <T>(
    name: DeployError['step'],
    call: () => Promise<T>
  ): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw new DeployError(
        name,
        error instanceof Error ? error : new Error(String(error))
      );
    }
  };
  await step('model', () => createPipelineModel(requests.model));
  await step('config', () => createEndpointConfig(requests.config));
  return step('endpoint', () => createEndpoint(requests.endpoint));
}
