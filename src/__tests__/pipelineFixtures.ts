/** A pipeline, its definition and an execution's steps as the pipeline routes answer them. */
import {
  IPipelineExecution,
  IPipelineExecutionStep,
  IPipelineExecutionSummary,
  IPipelineSummary
} from '../api/pipelines';

// dagre clones with structuredClone, which browsers have and jsdom does not.
const scope = globalThis as { structuredClone?: (value: unknown) => unknown };
scope.structuredClone ??= (value: unknown) => JSON.parse(JSON.stringify(value));

export const PREFIX = 'arn:mlstudio:sagemaker:local';
export const EXECUTION = 'abc123def456';
export const EXECUTION_ARN = `${PREFIX}:pipeline/churn/execution/${EXECUTION}`;

/**
 * Prepare → Train (reads Prepare's output) → Evaluate (DependsOn Train) → Check, a
 * condition on Evaluate's report: if true Register (the model of Train), else TooLow.
 */
export function definitionBody(): Record<string, unknown> {
  return {
    Version: '2020-12-01',
    Parameters: [
      { Name: 'Threshold', Type: 'Float', DefaultValue: 0.5 },
      { Name: 'Epochs', Type: 'Integer', DefaultValue: 2 }
    ],
    Steps: [
      {
        Name: 'Prepare',
        Type: 'Processing',
        Arguments: { ProcessingResources: {} },
        CacheConfig: { Enabled: true }
      },
      {
        Name: 'Train',
        Type: 'Training',
        Arguments: {
          HyperParameters: { epochs: { Get: 'Parameters.Epochs' } },
          InputDataConfig: [
            {
              DataSource: {
                S3DataSource: {
                  S3Uri: {
                    Get: "Steps.Prepare.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"
                  }
                }
              }
            }
          ]
        }
      },
      {
        Name: 'Evaluate',
        Type: 'Processing',
        DependsOn: ['Train'],
        Arguments: {},
        PropertyFiles: [
          {
            PropertyFileName: 'Report',
            OutputName: 'evaluation',
            FilePath: 'e.json'
          }
        ]
      },
      {
        Name: 'Check',
        Type: 'Condition',
        Arguments: {
          Conditions: [
            {
              Type: 'GreaterThanOrEqualTo',
              LeftValue: {
                'Std:JsonGet': {
                  PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.Report' },
                  Path: 'accuracy'
                }
              },
              RightValue: { Get: 'Parameters.Threshold' }
            }
          ],
          IfSteps: [
            {
              Name: 'Register',
              Type: 'RegisterModel',
              Arguments: {
                ModelPackageGroupName: 'churn-models',
                InferenceSpecification: {
                  Containers: [
                    {
                      ModelDataUrl: {
                        Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts'
                      }
                    }
                  ]
                }
              }
            }
          ],
          ElseSteps: [
            {
              Name: 'TooLow',
              Type: 'Fail',
              Arguments: { ErrorMessage: 'accuracy too low' }
            }
          ]
        }
      }
    ]
  };
}

export const definition = () => JSON.stringify(definitionBody());

export function pipeline(name = 'churn'): IPipelineSummary {
  return {
    PipelineName: name,
    PipelineArn: `${PREFIX}:pipeline/${name}`,
    PipelineDisplayName: null,
    PipelineDescription: null,
    RoleArn: null,
    CreationTime: '2026-01-02T00:00:00Z',
    LastModifiedTime: '2026-01-02T00:00:00Z'
  };
}

export function executionSummary(
  id: string,
  status: string,
  options: Partial<IPipelineExecutionSummary> = {}
): IPipelineExecutionSummary {
  return {
    PipelineExecutionArn: `${PREFIX}:pipeline/churn/execution/${id}`,
    PipelineExecutionStatus: status,
    PipelineExecutionDisplayName: null,
    PipelineExecutionFailureReason: null,
    StartTime: '2026-01-03T00:00:00Z',
    ...options
  };
}

export function execution(
  status: string,
  options: Partial<IPipelineExecution> = {}
): IPipelineExecution {
  return {
    PipelineArn: `${PREFIX}:pipeline/churn`,
    PipelineExecutionArn: EXECUTION_ARN,
    PipelineExecutionStatus: status,
    PipelineExecutionDisplayName: null,
    PipelineExecutionDescription: null,
    FailureReason: null,
    CreationTime: '2026-01-03T00:00:00Z',
    LastModifiedTime: '2026-01-03T00:05:00Z',
    PipelineParameters: [{ Name: 'Threshold', Value: 0.8 }],
    ...options
  };
}

export function step(
  name: string,
  status: string,
  options: Partial<IPipelineExecutionStep> = {}
): IPipelineExecutionStep {
  return {
    StepName: name,
    StepStatus: status,
    StartTime: '2026-01-03T00:00:01Z',
    EndTime: status === 'Executing' ? null : '2026-01-03T00:01:00Z',
    FailureReason: null,
    CacheHitResult: null,
    Metadata: {},
    AttemptCount: 1,
    ...options
  };
}

const job = (kind: string, type: string, name: string) => ({
  [kind]: { Arn: `${PREFIX}:${type}/${name}` }
});

/** Prepare (cached), Train and Evaluate succeeded, Check false, TooLow failed. */
export function failedSteps(): IPipelineExecutionStep[] {
  return [
    step('TooLow', 'Failed', {
      FailureReason: 'accuracy too low',
      Metadata: { Fail: { ErrorMessage: 'accuracy too low' } }
    }),
    step('Check', 'Succeeded', {
      Metadata: { Condition: { Outcome: 'False' } }
    }),
    step('Evaluate', 'Succeeded', {
      Metadata: job('ProcessingJob', 'processing-job', 'pipelines-evaluate')
    }),
    step('Train', 'Succeeded', {
      Metadata: job('TrainingJob', 'training-job', 'pipelines-train')
    }),
    step('Prepare', 'Succeeded', {
      Metadata: job('ProcessingJob', 'processing-job', 'pipelines-prepare'),
      CacheHitResult: {
        SourcePipelineExecutionArn: `${PREFIX}:pipeline/churn/execution/older`
      }
    })
  ];
}
