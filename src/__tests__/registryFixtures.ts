/** Model package groups and versions as the registry routes answer them. */
import {
  IModelPackage,
  IModelPackageGroup,
  IModelPackageSummary,
  ModelApprovalStatus
} from '../api/registry';

export const ROOT = 'file:///studio/artifacts';
export const MODEL = `${ROOT}/jobs/churn-train/output/model.tar.gz`;
export const REPORT = `${ROOT}/jobs/churn-eval/output/evaluation/evaluation.json`;

export function group(
  name: string,
  options: Partial<IModelPackageGroup> = {}
): IModelPackageGroup {
  return {
    ModelPackageGroupName: name,
    ModelPackageGroupArn: `arn:mlstudio:sagemaker:local:model-package-group/${name}`,
    ModelPackageGroupDescription: null,
    CreationTime: '2026-01-01T00:00:00Z',
    ModelPackageGroupStatus: 'Completed',
    Tags: [],
    ...options
  };
}

export function summary(
  groupName: string,
  version: number,
  status: ModelApprovalStatus = 'PendingManualApproval',
  options: Partial<IModelPackageSummary> = {}
): IModelPackageSummary {
  return {
    ModelPackageName: groupName,
    ModelPackageGroupName: groupName,
    ModelPackageVersion: version,
    ModelPackageArn: `arn:mlstudio:sagemaker:local:model-package/${groupName}/${version}`,
    ModelPackageDescription: `version ${version}`,
    CreationTime: `2026-01-0${version}T00:00:00Z`,
    ModelPackageStatus: 'Completed',
    ModelApprovalStatus: status,
    ...options
  };
}

/** A described version: a script-mode container, a ModelQuality report, metadata. */
export function described(
  groupName: string,
  version: number,
  status: ModelApprovalStatus = 'PendingManualApproval',
  options: Partial<IModelPackage> = {}
): IModelPackage {
  return {
    ...summary(groupName, version, status),
    InferenceSpecification: {
      Containers: [
        {
          ModelDataUrl: MODEL,
          Environment: {
            SAGEMAKER_PROGRAM: 'train.py',
            SAGEMAKER_SUBMIT_DIRECTORY: '/work/project'
          }
        }
      ],
      SupportedContentTypes: ['text/csv'],
      SupportedResponseMIMETypes: ['application/json'],
      SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large']
    },
    ModelMetrics: {
      ModelQuality: {
        Statistics: { ContentType: 'application/json', S3Uri: REPORT }
      }
    },
    CustomerMetadataProperties: { team: 'churn' },
    ApprovalDescription: null,
    LastModifiedTime: '2026-01-05T00:00:00Z',
    ModelPackageStatusDetails: { ValidationStatuses: [] },
    Tags: [],
    ...options
  };
}

/** SageMaker's evaluation report of a binary classifier. */
export const EVALUATION = {
  binary_classification_metrics: {
    accuracy: { value: 0.91, standard_deviation: 0.01 },
    f1: { value: '0.88', standard_deviation: 'NaN' },
    confusion_matrix: { '0': { '0': 40, '1': 4 }, '1': { '0': 5, '1': 51 } }
  }
};

/** A raw answer of `requestAPI(path, { raw: true })`. */
export function raw(text: string) {
  return { status: 200, headers: new Headers(), text };
}
