import {
  canDeploy,
  checkDeployOptions,
  defaultDeployOptions,
  deployRequests,
  deployStamp,
  scriptEnvironment
} from '../models/endpointDeploy';
import {
  checkWeights,
  formatShare,
  parseWeight,
  trafficShares
} from '../models/endpointWeights';
import { job } from './utils';

describe('endpoint weights', () => {
  it('parses non-negative decimal numbers only', () => {
    expect(parseWeight('1')).toBe(1);
    expect(parseWeight(' 0.25 ')).toBe(0.25);
    expect(parseWeight('.5')).toBe(0.5);
    expect(parseWeight('2e1')).toBe(20);
    expect(parseWeight('0')).toBe(0);
    expect(parseWeight('')).toBe('empty');
    expect(parseWeight('  ')).toBe('empty');
    expect(parseWeight('-1')).toBe('negative');
    expect(parseWeight('abc')).toBe('not-a-number');
    expect(parseWeight('0x10')).toBe('not-a-number');
    expect(parseWeight('1,5')).toBe('not-a-number');
    expect(parseWeight('Infinity')).toBe('not-a-number');
    expect(parseWeight('1e999')).toBe('not-a-number');
  });

  it('splits traffic by weight / total', () => {
    expect(trafficShares({ a: 3, b: 1 })).toEqual({ a: 75, b: 25 });
    expect(trafficShares({ a: 0, b: 0 })).toEqual({ a: 0, b: 0 });
    expect(trafficShares({ only: 0.2 })).toEqual({ only: 100 });
  });

  it('accepts weights when each is a number and one is above 0', () => {
    const check = checkWeights({ blue: '1', green: '3' });
    expect(check.weights).toEqual({ blue: 1, green: 3 });
    expect(check.errors).toEqual({});
    expect(check.allZero).toBe(false);
    expect(check.shares).toEqual({ blue: 25, green: 75 });

    // 0 is a weight (no traffic), as long as another variant gets some.
    expect(checkWeights({ blue: '0', green: '2' }).weights).toEqual({
      blue: 0,
      green: 2
    });
  });

  it('refuses negative, empty and non-numbers, and all zeros', () => {
    const bad = checkWeights({ blue: '-1', green: 'x', red: '', ok: '2' });
    expect(bad.weights).toBeNull();
    expect(bad.errors).toEqual({
      blue: 'negative',
      green: 'not-a-number',
      red: 'empty'
    });
    // The split is of the valid entries; refused ones get none.
    expect(bad.shares).toEqual({ blue: 0, green: 0, red: 0, ok: 100 });
    expect(bad.allZero).toBe(false);

    const zero = checkWeights({ blue: '0', green: '0.0' });
    expect(zero.weights).toBeNull();
    expect(zero.allZero).toBe(true);
    expect(zero.errors).toEqual({});
  });

  it('formats shares in few characters', () => {
    expect(formatShare(100)).toBe('100%');
    expect(formatShare(75)).toBe('75%');
    expect(formatShare(100 / 3)).toBe('33.3%');
    expect(formatShare(0)).toBe('0%');
    expect(formatShare(0.01)).toBe('<0.1%');
  });
});

describe('deploying a training job', () => {
  const completed = job('churn-xgb-2026', {
    Status: 'Completed',
    Spec: {
      ScriptMode: { EntryPoint: '/home/me/project/train.py' },
      ResourceConfig: { InstanceType: 'local', InstanceCount: 2 }
    },
    Outputs: {
      ModelArtifacts: {
        S3ModelArtifacts: 'file:///studio/jobs/churn-xgb-2026/model.tar.gz'
      }
    }
  });

  it('offers Deploy for a completed training job with a model only', () => {
    expect(canDeploy(completed)).toBe(true);
    expect(canDeploy({ ...completed, Status: 'Failed' })).toBe(false);
    expect(canDeploy({ ...completed, Outputs: {} })).toBe(false);
    expect(canDeploy({ ...completed, Kind: 'ProcessingJob' })).toBe(false);
  });

  it('names the endpoint after the job, within 63 characters', () => {
    expect(defaultDeployOptions(completed)).toEqual({
      endpointName: 'churn-xgb-2026-endpoint',
      variantName: 'AllTraffic',
      instanceCount: 1,
      captureData: true
    });
    const long = job(`${'a'.repeat(54)}-bcdefgh`);
    const name = defaultDeployOptions(long).endpointName;
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toBe(`${'a'.repeat(54)}-endpoint`);
    expect(name).not.toContain('--');
  });

  it('checks the options as SageMaker does', () => {
    const options = defaultDeployOptions(completed);
    expect(checkDeployOptions(options)).toEqual({});
    expect(
      checkDeployOptions({
        ...options,
        endpointName: 'bad_name',
        variantName: '-x',
        instanceCount: 0
      })
    ).toEqual({
      endpointName: 'name',
      variantName: 'name',
      instanceCount: 'count'
    });
    expect(
      checkDeployOptions({ ...options, endpointName: 'a'.repeat(64) })
    ).toEqual({ endpointName: 'name-length' });
    expect(checkDeployOptions({ ...options, instanceCount: 1.5 })).toEqual({
      instanceCount: 'count'
    });
    expect(checkDeployOptions({ ...options, instanceCount: NaN })).toEqual({
      instanceCount: 'count'
    });
  });

  it('names the script for the model server from the job’s script mode', () => {
    expect(scriptEnvironment(completed)).toEqual({
      SAGEMAKER_PROGRAM: 'train.py',
      SAGEMAKER_SUBMIT_DIRECTORY: '/home/me/project'
    });
    const withSource = job('j', {
      Spec: { ScriptMode: { EntryPoint: 'serve/train.py', SourceDir: '/src' } }
    });
    expect(scriptEnvironment(withSource)).toEqual({
      SAGEMAKER_PROGRAM: 'serve/train.py',
      SAGEMAKER_SUBMIT_DIRECTORY: '/src'
    });
    expect(scriptEnvironment(job('byoc'))).toEqual({});
  });

  it('builds the model, configuration and endpoint requests', () => {
    const stamp = deployStamp(new Date(2026, 10, 23, 20, 5, 9));
    expect(stamp).toBe('20261123-200509');
    const requests = deployRequests(
      completed,
      {
        endpointName: 'churn',
        variantName: 'blue',
        instanceCount: 2,
        captureData: true
      },
      stamp
    );
    expect(requests.model).toEqual({
      ModelName: 'churn-20261123-200509',
      PrimaryContainer: {
        ModelDataUrl: 'file:///studio/jobs/churn-xgb-2026/model.tar.gz',
        Environment: {
          SAGEMAKER_PROGRAM: 'train.py',
          SAGEMAKER_SUBMIT_DIRECTORY: '/home/me/project'
        }
      }
    });
    expect(requests.config).toEqual({
      EndpointConfigName: 'churn-20261123-200509',
      ProductionVariants: [
        {
          VariantName: 'blue',
          ModelName: 'churn-20261123-200509',
          InitialInstanceCount: 2,
          InstanceType: 'local',
          InitialVariantWeight: 1
        }
      ],
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 100,
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }]
      }
    });
    expect(requests.endpoint).toEqual({
      EndpointName: 'churn',
      EndpointConfigName: 'churn-20261123-200509'
    });

    // A job that ran its own image deploys that image; no capture when unchecked.
    const byoc = job('byoc', {
      Status: 'Completed',
      Spec: { AlgorithmSpecification: { TrainingImage: 'my-algo:1' } },
      Outputs: { ModelArtifacts: { S3ModelArtifacts: 's3://b/model.tar.gz' } }
    });
    const other = deployRequests(
      byoc,
      { ...defaultDeployOptions(byoc), captureData: false },
      stamp
    );
    expect(other.model.PrimaryContainer).toEqual({
      ModelDataUrl: 's3://b/model.tar.gz',
      Image: 'my-algo:1',
      Environment: {}
    });
    expect(other.config.DataCaptureConfig).toBeUndefined();
    // Long endpoint names leave room for the stamp.
    const long = deployRequests(
      completed,
      { ...defaultDeployOptions(completed), endpointName: 'e'.repeat(63) },
      stamp
    );
    expect(long.model.ModelName.length).toBeLessThanOrEqual(63);
    expect(long.model.ModelName.endsWith(`-${stamp}`)).toBe(true);
  });
});
