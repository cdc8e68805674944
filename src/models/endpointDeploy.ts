/**
 * Deploying a model as an endpoint, as `estimator.deploy()` does: a Model, an
 * EndpointConfig with one variant, then the Endpoint (which answers in Creating). The
 * model comes from a source: a completed training job (its model artifact, its image if
 * it ran one, its script as SAGEMAKER_PROGRAM / SAGEMAKER_SUBMIT_DIRECTORY), or any
 * other `IDeploySource`, such as a registered model version (`models/registry.ts`).
 */
import {
  createEndpoint,
  createEndpointConfig,
  createModel,
  ICreateEndpointConfigRequest,
  ICreateEndpointRequest,
  ICreateModelRequest,
  IEndpointSummary
} from '../api/endpoints';
import { IJob } from '../api/types';
import { jobConfig, modelArtifactUri } from './jobSpec';

/** SageMaker's rule for endpoint, config, model and variant names. */
const NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
export const MAX_NAME_LENGTH = 63;

/** What the Deploy dialog asks. */
export interface IDeployOptions {
  endpointName: string;
  variantName: string;
  instanceCount: number;
  /** Record the requests and answers (data capture, every request). */
  captureData: boolean;
}

/** Why an option is refused. */
export type DeployOptionError = 'name' | 'name-length' | 'count';

/** What a deployment deploys: a model's container, where it comes from, where it runs. */
export interface IDeploySource {
  /** Where the model comes from. */
  kind: 'training-job' | 'model-package';
  /** The training job's name, or the model package group's. */
  name: string;
  /** The version of a model package. */
  version?: number;
  /** The model's container (no image: the studio's script-mode serving). */
  container: {
    ModelDataUrl?: string;
    Image?: string;
    Environment: Record<string, string>;
  };
  /** The variant's instance type. */
  instanceType: string;
  /** The endpoint name the dialog proposes. */
  endpointName: string;
}

/** What the deploy functions take: a training job, or a source already made. */
export type Deployable = IJob | IDeploySource;

/** Whether a job has a model to deploy: a completed training job that uploaded one. */
export function canDeploy(job: IJob): boolean {
  return (
    job.Kind === 'TrainingJob' &&
    job.Status === 'Completed' &&
    !!modelArtifactUri(job)
  );
}

/** `base`, cut so that `base` + `suffix` fits in a name, without a trailing hyphen. */
export function fitName(base: string, suffix: string): string {
  return (
    base.slice(0, MAX_NAME_LENGTH - suffix.length).replace(/-+$/, '') + suffix
  );
}

/** The source of a training job's model (see `canDeploy`). */
export function jobDeploySource(job: IJob): IDeploySource {
  const config = jobConfig(job);
  const model = modelArtifactUri(job);
  return {
    kind: 'training-job',
    name: job.JobName,
    container: {
      ...(model ? { ModelDataUrl: model } : {}),
      ...(config.image ? { Image: config.image } : {}),
      Environment: scriptEnvironment(job)
    },
    instanceType: config.instanceType ?? 'local',
    endpointName: fitName(job.JobName, '-endpoint')
  };
}

/** The source of `from`: a training job's, or `from` itself. */
export function deploySource(from: Deployable): IDeploySource {
  return 'container' in from ? from : jobDeploySource(from);
}

export function defaultDeployOptions(from: Deployable): IDeployOptions {
  return {
    endpointName: deploySource(from).endpointName,
    variantName: 'AllTraffic',
    instanceCount: 1,
    captureData: true
  };
}

/** The refused options, by field (empty when all are fine). */
export function checkDeployOptions(
  options: IDeployOptions
): Partial<
  Record<'endpointName' | 'variantName' | 'instanceCount', DeployOptionError>
> {
  const errors: Partial<
    Record<'endpointName' | 'variantName' | 'instanceCount', DeployOptionError>
  > = {};
  for (const field of ['endpointName', 'variantName'] as const) {
    const name = options[field];
    if (!NAME_PATTERN.test(name)) {
      errors[field] = 'name';
    } else if (name.length > MAX_NAME_LENGTH) {
      errors[field] = 'name-length';
    }
  }
  const count = options.instanceCount;
  if (!Number.isInteger(count) || count < 1 || count > 16) {
    errors.instanceCount = 'count';
  }
  return errors;
}

/** The environment that names a script-mode job's code for the model server. */
export function scriptEnvironment(job: IJob): Record<string, string> {
  const { entryPoint, sourceDir } = jobConfig(job);
  if (!entryPoint) {
    return {};
  }
  if (sourceDir) {
    return {
      SAGEMAKER_PROGRAM: entryPoint,
      SAGEMAKER_SUBMIT_DIRECTORY: sourceDir
    };
  }
  const cut = entryPoint.lastIndexOf('/');
  if (cut < 0) {
    return { SAGEMAKER_PROGRAM: entryPoint };
  }
  return {
    SAGEMAKER_PROGRAM: entryPoint.slice(cut + 1),
    SAGEMAKER_SUBMIT_DIRECTORY: entryPoint.slice(0, cut) || '/'
  };
}

/** "20261123-201500": names the model and configuration of one deployment. */
export function deployStamp(date: Date = new Date()): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-` +
    `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`
  );
}

export interface IDeployRequests {
  model: ICreateModelRequest;
  config: ICreateEndpointConfigRequest;
  endpoint: ICreateEndpointRequest;
}

/** The three create requests that deploy the model of `from` with `options`. */
export function deployRequests(
  from: Deployable,
  options: IDeployOptions,
  stamp: string = deployStamp()
): IDeployRequests {
  const source = deploySource(from);
  const resourceName = fitName(options.endpointName, `-${stamp}`);
  const { ModelDataUrl, Image, Environment } = source.container;
  const model: ICreateModelRequest = {
    ModelName: resourceName,
    PrimaryContainer: {
      ModelDataUrl,
      ...(Image ? { Image } : {}),
      Environment: { ...Environment }
    }
  };
  const endpointConfig: ICreateEndpointConfigRequest = {
    EndpointConfigName: resourceName,
    ProductionVariants: [
      {
        VariantName: options.variantName,
        ModelName: resourceName,
        InitialInstanceCount: options.instanceCount,
        InstanceType: source.instanceType,
        InitialVariantWeight: 1
      }
    ]
  };
  if (options.captureData) {
    endpointConfig.DataCaptureConfig = {
      EnableCapture: true,
      InitialSamplingPercentage: 100,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }]
    };
  }
  return {
    model,
    config: endpointConfig,
    endpoint: {
      EndpointName: options.endpointName,
      EndpointConfigName: resourceName
    }
  };
}

/** The step of a deployment that failed, with the server's error. */
export class DeployError extends Error {
  constructor(
    readonly step: 'model' | 'config' | 'endpoint',
    readonly error: Error
  ) {
    super(error.message);
    this.name = 'DeployError';
  }
}

/**
 * Create the model, the configuration and the endpoint, in that order.
 *
 * @throws {DeployError} naming the step that failed (what was created before stays).
 */
export async function deploy(
  from: Deployable,
  options: IDeployOptions
): Promise<IEndpointSummary> {
  const requests = deployRequests(from, options);
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
  await step('model', () => createModel(requests.model));
  await step('config', () => createEndpointConfig(requests.config));
  return step('endpoint', () => createEndpoint(requests.endpoint));
}
