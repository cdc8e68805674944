/**
 * What the job view shows of a job's configuration, read from its `Spec` (the create
 * request in SageMaker's field names, kept verbatim by the server) and `Outputs`.
 * Training and processing jobs name the same things differently; these readers
 * accept both and never throw on a field that is missing or has another shape.
 */
import { IJob } from '../api/types';

/** One input (channel) or output of a job and where its data is. */
export interface IJobChannel {
  name: string;
  uri: string;
  /** Where the container sees it, when the spec says (processing jobs). */
  localPath?: string;
}

/** The configuration the job view lists. */
export interface IJobConfig {
  /** The container image, when the job runs one (bring your own container). */
  image?: string;
  /** The script of a script-mode job, with its source folder. */
  entryPoint?: string;
  sourceDir?: string;
  /** A processing job's command and arguments. */
  command?: string[];
  hyperParameters: [string, string][];
  environment: [string, string][];
  inputs: IJobChannel[];
  outputs: IJobChannel[];
  outputPath?: string;
  instanceType?: string;
  instanceCount: number;
  maxRuntimeSeconds?: number;
  metricDefinitions: { name: string; regex: string }[];
}

type Json = Record<string, unknown>;

function object(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value || undefined;
  }
  return typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(object) : [];
}

function pairs(value: unknown): [string, string][] {
  return Object.entries(object(value)).map(([key, item]) => [
    key,
    text(item) ?? JSON.stringify(item)
  ]);
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(item => String(item)) : undefined;
}

/** The job's configuration, for display. */
export function jobConfig(job: IJob): IJobConfig {
  const spec = object(job.Spec);
  const algorithm = object(spec.AlgorithmSpecification);
  const app = object(spec.AppSpecification);
  const script = object(spec.ScriptMode);
  const resources = object(
    spec.ResourceConfig ?? object(spec.ProcessingResources).ClusterConfig
  );
  const stopping = object(spec.StoppingCondition);
  const count = Number(resources.InstanceCount);
  const command = [
    ...(strings(app.ContainerEntrypoint) ?? []),
    ...(strings(app.ContainerArguments) ?? [])
  ];
  const maxRuntime = Number(stopping.MaxRuntimeInSeconds);
  const published = new Map(
    list(object(job.Outputs).ProcessingOutputs).map(output => [
      text(output.OutputName) ?? '',
      text(output.S3Uri)
    ])
  );
  return {
    image: text(algorithm.TrainingImage) ?? text(app.ImageUri),
    entryPoint: text(script.EntryPoint),
    sourceDir: text(script.SourceDir),
    command: command.length ? command : undefined,
    hyperParameters: pairs(spec.HyperParameters),
    environment: pairs(spec.Environment),
    inputs: [
      ...list(spec.InputDataConfig).map(channel => ({
        name: text(channel.ChannelName) ?? '',
        uri:
          text(object(object(channel.DataSource).S3DataSource).S3Uri) ??
          text(
            object(object(channel.DataSource).FileSystemDataSource)
              .DirectoryPath
          ) ??
          ''
      })),
      ...list(spec.ProcessingInputs).map(input => ({
        name: text(input.InputName) ?? '',
        uri: text(object(input.S3Input).S3Uri) ?? '',
        localPath: text(object(input.S3Input).LocalPath)
      }))
    ],
    outputs: list(object(spec.ProcessingOutputConfig).Outputs).map(output => {
      const name = text(output.OutputName) ?? '';
      return {
        name,
        // Left out of the spec, the studio chooses where; known once published.
        uri: text(object(output.S3Output).S3Uri) ?? published.get(name) ?? '',
        localPath: text(object(output.S3Output).LocalPath)
      };
    }),
    outputPath: text(object(spec.OutputDataConfig).S3OutputPath),
    instanceType: text(resources.InstanceType),
    instanceCount: Number.isInteger(count) && count > 0 ? count : 1,
    maxRuntimeSeconds:
      Number.isFinite(maxRuntime) && maxRuntime > 0 ? maxRuntime : undefined,
    metricDefinitions: list(algorithm.MetricDefinitions).map(definition => ({
      name: text(definition.Name) ?? '',
      regex: text(definition.Regex) ?? ''
    }))
  };
}

/** The hosts a job runs on: algo-1 … algo-N. */
export function jobHosts(job: IJob): string[] {
  const count = jobConfig(job).instanceCount;
  return Array.from({ length: count }, (_, i) => `algo-${i + 1}`);
}

/** The URI of the packed model (`model.tar.gz`) once a training job uploaded it. */
export function modelArtifactUri(job: IJob): string | undefined {
  return text(object(object(job.Outputs).ModelArtifacts).S3ModelArtifacts);
}

/** A file or folder a job published, by what it is. */
export interface IJobArtifact {
  /** 'model', 'output-data' or a processing output's name. */
  name: string;
  uri: string;
}

/**
 * What the job published: a training job's model and output data, a processing job's
 * outputs — in that order.
 */
export function jobArtifacts(job: IJob): IJobArtifact[] {
  const outputs = object(job.Outputs);
  const found: IJobArtifact[] = [];
  const model = modelArtifactUri(job);
  if (model) {
    found.push({ name: 'model', uri: model });
  }
  const data = text(object(outputs.OutputDataArtifacts).S3Uri);
  if (data) {
    found.push({ name: 'output-data', uri: data });
  }
  for (const output of list(outputs.ProcessingOutputs)) {
    const uri = text(output.S3Uri);
    if (uri) {
      found.push({ name: text(output.OutputName) ?? '', uri });
    }
  }
  return found;
}

/** Whether the job has ended and will not change any more. */
export function isTerminal(job: Pick<IJob, 'Status'>): boolean {
  return (
    job.Status === 'Completed' ||
    job.Status === 'Failed' ||
    job.Status === 'Stopped'
  );
}

/** "1h 30m" for a number of seconds; whole units only. */
export function formatSeconds(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const parts = [
    d ? `${d}d` : '',
    h ? `${h}h` : '',
    m ? `${m}m` : '',
    s ? `${s}s` : ''
  ].filter(Boolean);
  return parts.join(' ') || '0s';
}
