/** An AutoML job and its candidates, as the server answers them (shapes from a real run). */
import { IAutoMLCandidate, IAutoMLJob } from '../api/automl';

const T0 = Date.parse('2026-12-06T17:08:34Z');
/** The time `seconds` after the job started, as the server writes candidate times. */
export const at = (seconds: number, separator = 'T') =>
  new Date(T0 + seconds * 1000).toISOString().replace('T', separator);

const container = (job: string, role: string) => ({
  Image: 'mlstudio/python:3-sklearn',
  ModelDataUrl: `file:///home/artifacts/automl/churn/tuning/${job}/output/model.tar.gz`,
  Environment: {
    SAGEMAKER_PROGRAM: 'automl_inference.py',
    SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
    MLSTUDIO_AUTOML_CONTAINER: role
  }
});

/** One candidate; `value` null while it has no objective. */
export function candidate(
  number: number,
  value: number | null,
  options: Partial<IAutoMLCandidate> & {
    algorithm?: string;
    preprocessing?: string;
    started?: number;
    took?: number | null;
  } = {}
): IAutoMLCandidate {
  const {
    algorithm = 'linear',
    preprocessing = 'scaled-onehot',
    started = 4 + number,
    took = 3,
    ...rest
  } = options;
  const name = `churn-00${number}-0a1b2c3d`;
  return {
    CandidateName: name,
    CandidateStatus: value === null ? 'InProgress' : 'Completed',
    ObjectiveStatus: value === null ? 'Pending' : 'Succeeded',
    CandidateSteps: [
      {
        CandidateStepType: 'AWS::SageMaker::TrainingJob',
        CandidateStepName: name
      }
    ],
    // The listing writes its times with a space, as Python's str() does.
    CreationTime: at(started, ' '),
    EndTime: took === null ? null : at(started + took, ' '),
    FinalAutoMLJobObjectiveMetric:
      value === null
        ? null
        : { Type: 'Maximize', MetricName: 'F1', Value: value },
    InferenceContainers: [
      container(name, 'feature-transform'),
      container(name, 'algorithm')
    ],
    CandidateDefinition: {
      Algorithm: algorithm,
      Preprocessing: preprocessing,
      HyperParameters: { algorithm, preprocessing }
    },
    ...rest
  };
}

/** Five candidates in launch order: 2 is the best, 5 still runs. */
export function candidates(): IAutoMLCandidate[] {
  return [
    candidate(1, 0.8307, {
      algorithm: 'hist-gradient-boosting',
      preprocessing: 'ordinal',
      took: 4
    }),
    candidate(2, 0.8456, { took: 2 }),
    candidate(3, 0.8187, {
      algorithm: 'random-forest',
      preprocessing: 'ordinal',
      took: 9
    }),
    candidate(4, 0.7959, {
      algorithm: 'extra-trees',
      preprocessing: 'ordinal',
      took: 12
    }),
    candidate(5, null, { algorithm: 'xgboost', took: null })
  ];
}

const STAGES = [
  { Stage: 'Starting', StartTime: at(0), EndTime: at(1.5) },
  { Stage: 'AnalyzingData', StartTime: at(1.5), EndTime: at(1.6) },
  { Stage: 'FeatureEngineering', StartTime: at(1.6), EndTime: at(3.7) },
  { Stage: 'TrainingModels', StartTime: at(3.7) }
];

/** The AutoML job churn, training its candidates unless `options` say otherwise. */
export function automlJob(
  options: Partial<IAutoMLJob> & {
    outputs?: Record<string, unknown>;
    best?: IAutoMLCandidate | null;
  } = {}
): IAutoMLJob {
  const { outputs = {}, best = candidates()[1], ...rest } = options;
  return {
    JobName: 'churn',
    Kind: 'AutoMLJob',
    Status: 'InProgress',
    SecondaryStatus: null,
    FailureReason: null,
    ExitCode: null,
    Runtime: 'process',
    ExperimentName: 'churn',
    TrialComponentName: null,
    CreationTime: at(0),
    StartTime: at(0),
    EndTime: null,
    LastModifiedTime: at(20),
    Tags: {},
    Spec: {
      AutoMLJobName: 'churn',
      InputDataConfig: [
        {
          DataSource: { S3DataSource: { S3Uri: '/data/table.csv' } },
          TargetAttributeName: 'churn'
        }
      ],
      AutoMLJobConfig: { CompletionCriteria: { MaxCandidates: 5 } }
    },
    Outputs: {
      AutoMLJobSecondaryStatus: 'TrainingModels',
      Stages: STAGES,
      ResolvedAttributes: {
        ProblemType: 'BinaryClassification',
        AutoMLJobObjective: { MetricName: 'F1' }
      },
      Analysis: {
        Rows: 2000,
        Target: 'churn',
        Classes: ['no', 'yes'],
        InferredBecause: 'the target has two distinct values',
        Columns: [
          { Name: 'customer_id', Type: 'dropped', Missing: 0, Distinct: 2000 },
          { Name: 'age', Type: 'numeric', Missing: 211, Distinct: 62 },
          { Name: 'city', Type: 'categorical', Missing: 90, Distinct: 4 }
        ]
      },
      AutoMLJobArtifacts: {
        DataExplorationNotebookLocation:
          'file:///home/artifacts/automl/churn/notebooks/SageMakerAutopilotDataExplorationNotebook.ipynb'
      },
      CandidateCounts: { Completed: 4, InProgress: 1 },
      ...(best ? { BestCandidate: best } : {}),
      ...outputs
    },
    ...rest
  };
}

/** The job churn once it reached its candidates' limit. */
export function completedJob(): IAutoMLJob {
  const done = automlJob({ Status: 'Completed', EndTime: at(20) });
  const outputs = done.Outputs as Record<string, unknown>;
  outputs.AutoMLJobSecondaryStatus = 'MaxCandidatesReached';
  outputs.Stages = STAGES.map(stage => ({
    ...stage,
    EndTime: stage.EndTime ?? at(20)
  }));
  return done;
}
