/**
 * Tuning jobs and their training jobs shaped as the server's contract describes them
 * (DescribeHyperParameterTuningJob's counters in `Outputs`, SageMaker's
 * HyperParameterTrainingJobSummary for each training job).
 */
import { ITuningJob, ITuningTrainingJob } from '../api/tuning';
import { IJob } from '../api/types';

export const TUNING_SPEC = {
  HyperParameterTuningJobName: 'tune-1',
  HyperParameterTuningJobConfig: {
    Strategy: 'Random',
    HyperParameterTuningJobObjective: {
      Type: 'Maximize',
      MetricName: 'validation:accuracy'
    },
    ResourceLimits: { MaxNumberOfTrainingJobs: 6, MaxParallelTrainingJobs: 2 },
    ParameterRanges: {
      IntegerParameterRanges: [
        {
          Name: 'n-estimators',
          MinValue: '5',
          MaxValue: '50',
          ScalingType: 'Linear'
        }
      ],
      ContinuousParameterRanges: [
        {
          Name: 'learning_rate',
          MinValue: '0.001',
          MaxValue: '1',
          ScalingType: 'Logarithmic'
        }
      ],
      CategoricalParameterRanges: [
        { Name: 'kernel', Values: ['linear', 'rbf', 'poly'] }
      ]
    },
    TrainingJobEarlyStoppingType: 'Auto',
    TuningJobCompletionCriteria: {
      TargetObjectiveMetricValue: 0.99,
      BestObjectiveNotImproving: { MaxNumberOfTrainingJobsNotImproving: 4 }
    },
    RandomSeed: 7
  },
  TrainingJobDefinition: {
    StaticHyperParameters: { epochs: '3' },
    AlgorithmSpecification: {
      MetricDefinitions: [
        { Name: 'validation:accuracy', Regex: 'objective: ([0-9.]+)' }
      ]
    },
    ScriptMode: { EntryPoint: '/work/tune/train.py' },
    ResourceConfig: { InstanceType: 'local', InstanceCount: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 }
  }
};

const time = (seconds: number) =>
  new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();

/** A training job of tune-1 numbered `n`; `value` is its objective (none when null). */
export function trial(
  n: number,
  value: number | null,
  options: Partial<ITuningTrainingJob> & {
    params?: Record<string, string>;
  } = {}
): ITuningTrainingJob {
  const { params, ...rest } = options;
  return {
    TrainingJobName: `tune-1-${String(n).padStart(3, '0')}-0a1b2c3d`,
    TrainingJobArn: `arn:aws:sagemaker:local:000000000000:training-job/tune-1-${n}`,
    TuningJobName: 'tune-1',
    CreationTime: time(n * 10),
    TrainingStartTime: time(n * 10 + 1),
    TrainingEndTime: time(n * 10 + 6),
    TrainingJobStatus: 'Completed',
    TunedHyperParameters: params ?? {
      'n-estimators': String(n * 5),
      learning_rate: String(0.001 * 10 ** (n % 4)),
      kernel: ['linear', 'rbf', 'poly'][n % 3]
    },
    FailureReason: null,
    FinalHyperParameterTuningJobObjectiveMetric:
      value === null
        ? undefined
        : { Type: 'Maximize', MetricName: 'validation:accuracy', Value: value },
    ObjectiveStatus: value === null ? 'Pending' : 'Succeeded',
    TrainingJobNumber: n,
    ...rest
  };
}

/** Six jobs: one running, one failed, one stopped early; job 4 is the best (0.91). */
export function trials(): ITuningTrainingJob[] {
  return [
    trial(1, 0.62),
    trial(2, 0.8),
    trial(3, 0.55, {
      TrainingJobStatus: 'Stopped',
      TrainingJobEarlyStoppingType: 'Auto'
    }),
    trial(4, 0.91),
    trial(5, null, {
      TrainingJobStatus: 'Failed',
      FailureReason: 'AlgorithmError: exit code 1',
      ObjectiveStatus: 'Failed'
    }),
    trial(6, null, {
      TrainingJobStatus: 'InProgress',
      TrainingEndTime: null
    })
  ];
}

/** tune-1, in progress unless `options` say otherwise, with the counters of `trials()`. */
export function tuningJob(options: Partial<IJob> = {}): ITuningJob {
  return {
    JobName: 'tune-1',
    Kind: 'HyperParameterTuningJob',
    Status: 'InProgress',
    SecondaryStatus: null,
    FailureReason: null,
    ExitCode: null,
    Runtime: 'process',
    Spec: TUNING_SPEC,
    Outputs: {
      TrainingJobStatusCounters: {
        Completed: 3,
        InProgress: 1,
        RetryableError: 0,
        NonRetryableError: 1,
        Stopped: 1
      },
      ObjectiveStatusCounters: { Succeeded: 4, Pending: 1, Failed: 1 },
      BestTrainingJob: trial(4, 0.91),
      TuningJobCompletionDetails: {
        NumberOfTrainingJobsObjectiveNotImproving: 2
      },
      TrainingJobsStoppedEarly: 1
    },
    ExperimentName: 'tune-1',
    TrialComponentName: null,
    CreationTime: time(0),
    StartTime: time(0),
    EndTime: null,
    LastModifiedTime: time(60),
    SecondaryStatusTransitions: [],
    Tags: {},
    ...options
  };
}
