/**
 * The main-area view of one model package group: its description and versions, which
 * can be filtered by approval status, sorted, opened to their metrics reports, approved
 * or rejected, and deployed when approved (through the Deploy dialog of training jobs).
 * Live while on screen.
 */
import { showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { IModelPackageGroup, ModelApprovalStatus } from '../api/registry';
import { approvalLabel } from '../components/ApprovalBadge';
import {
  ArtifactRootContext,
  withArtifactRoot
} from '../components/ArtifactUri';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { useSignals } from '../components/useSignals';
import { absoluteTime, relativeTime } from '../format';
import { studioIcon } from '../icons';
import { ArtifactRoot } from '../models/artifactRoot';
import { APPROVAL_STATUSES, deployBlocker } from '../models/registry';
import { ModelGroupModel } from '../models/registryGroup';
import { showDeploySourceDialog } from './endpointDeploy';
import { MainAreaView } from './mainAreaView';
import { confirmApproval } from './modelApproval';
import { blockerText, VersionsTable } from './modelVersions';
import { RefreshButton } from '../components/RefreshButton';

export interface IModelGroupViewProps {
  model: ModelGroupModel;
  trans: TranslationBundle;
  /** Opens the endpoint a version was deployed to. */
  onOpenEndpoint?: (name: string) => void;
}

/**
 * Read a version afresh and open the Deploy dialog for it; says why when it cannot be
 * deployed (not approved, no model). Answers the endpoint's name, or null.
 */
export async function deployVersion(
  model: ModelGroupModel,
  version: number,
  trans: TranslationBundle,
  onOpenEndpoint?: (name: string) => void,
  artifactRoot: ArtifactRoot | null = null
): Promise<string | null> {
  let answer;
  try {
    answer = await model.deploySource(version);
  } catch (error) {
    await showErrorMessage(
      trans.__('Could not read version %1', version),
      error as Error
    );
    return null;
  }
  const blocker = deployBlocker(answer.pkg.ModelApprovalStatus, answer.pkg);
  if (blocker || !answer.source) {
    await showErrorMessage(
      trans.__('Version %1 cannot be deployed', version),
      blockerText(blocker ?? 'no-model', trans)
    );
    return null;
  }
  return showDeploySourceDialog(
    answer.source,
    trans,
    onOpenEndpoint,
    artifactRoot
  );
}

export function ModelGroupView(props: IModelGroupViewProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.stateChanged);
  const artifactRoot = React.useContext(ArtifactRootContext);
  const state = model.state;
  if (state.kind === 'loading') {
    return (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Loading model group…')}
      </p>
    );
  }
  if (state.kind === 'error') {
    return (
      <ErrorState
        title={trans.__('Could not load model group “%1”.', model.name)}
        message={state.message}
        retryLabel={trans.__('Retry')}
        onRetry={() => void model.refresh()}
      />
    );
  }
  const filter = model.approvalFilter;
  const count = state.versions.length;
  return (
    <div
      className="jp-mlstudio-View jp-mlstudio-ModelGroupView"
      data-model-group={model.name}
    >
      <Header model={model} group={state.group} trans={trans} />
      {model.refreshError ? (
        <p className="jp-mlstudio-Stale" role="status">
          {trans.__(
            'Could not refresh: %1. Showing what was read last.',
            model.refreshError
          )}
        </p>
      ) : null}
      <section
        aria-label={trans.__('Versions')}
        className="jp-mlstudio-ModelVersions"
      >
        <div className="jp-mlstudio-ModelVersions-toolbar">
          <h2>
            {trans.__('Versions')}
            <span className="jp-mlstudio-ModelVersions-count">
              {model.filterApplied ? count : ''}
            </span>
          </h2>
          <label className="jp-mlstudio-Field">
            <span>{trans.__('Approval')}</span>
            <select
              className="jp-mod-styled jp-mlstudio-Select jp-mlstudio-ApprovalFilter"
              aria-label={trans.__('Show versions in approval status')}
              value={filter}
              onChange={event =>
                (model.approvalFilter = event.target
                  .value as ModelApprovalStatus)
              }
            >
              <option value="">{trans.__('Any status')}</option>
              {APPROVAL_STATUSES.map(status => (
                <option key={status} value={status}>
                  {approvalLabel(status, trans)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {!model.filterApplied ? (
          <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
            {trans.__('Loading versions…')}
          </p>
        ) : count === 0 ? (
          filter ? (
            <EmptyState
              title={trans.__(
                'No versions are %1.',
                approvalLabel(filter, trans).toLowerCase()
              )}
            >
              <button
                type="button"
                className="jp-mlstudio-Link"
                onClick={() => (model.approvalFilter = '')}
              >
                {trans.__('Show every version')}
              </button>
            </EmptyState>
          ) : (
            <EmptyState title={trans.__('No versions yet')}>
              {trans.__(
                'Register one with estimator.register(model_package_group_name="%1", …) or model.register(…) in a notebook, or a pipeline’s RegisterModel step. New versions wait for approval here.',
                model.name
              )}
            </EmptyState>
          )
        ) : (
          <VersionsTable
            model={model}
            trans={trans}
            onApproval={(version, current, decision) =>
              void confirmApproval(model, version, current, decision, trans)
            }
            onDeploy={version =>
              void deployVersion(
                model,
                version,
                trans,
                props.onOpenEndpoint,
                artifactRoot
              )
            }
          />
        )}
      </section>
    </div>
  );
}

function Header(props: {
  model: ModelGroupModel;
  group: IModelPackageGroup;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, group, trans } = props;
  return (
    <>
      <header className="jp-mlstudio-View-header jp-mlstudio-JobHeader">
        <h1>{group.ModelPackageGroupName}</h1>
        <span className="jp-mlstudio-JobHeader-detail">
          {trans.__('Model group')}
          {' · '}
          <time
            dateTime={group.CreationTime}
            title={absoluteTime(group.CreationTime)}
          >
            {trans.__('created %1', relativeTime(group.CreationTime))}
          </time>
        </span>
        <span className="jp-mlstudio-JobHeader-spacer" />
        <RefreshButton
          label={trans.__('Refresh model group')}
          onRefresh={() => model.refresh()}
        />
      </header>
      {group.ModelPackageGroupDescription ? (
        <p className="jp-mlstudio-ModelGroupView-description">
          {group.ModelPackageGroupDescription}
        </p>
      ) : null}
      <p className="jp-mlstudio-ModelGroupView-arn">
        <code title={trans.__('Model package group ARN')}>
          {group.ModelPackageGroupArn}
        </code>
      </p>
    </>
  );
}

/** The main-area widget of a model group; one per group. */
export class ModelGroupWidget extends MainAreaView<ModelGroupModel> {
  constructor(
    model: ModelGroupModel,
    trans: TranslationBundle,
    options: ModelGroupWidget.IOptions = {}
  ) {
    super(
      model,
      ReactWidget.create(
        withArtifactRoot(
          options.artifactRoot,
          <ModelGroupView
            model={model}
            trans={trans}
            onOpenEndpoint={options.onOpenEndpoint}
          />
        )
      )
    );
    this.id = `mlstudio-model-group-${model.name}`;
    this.title.label = model.name;
    this.title.caption = trans.__('Model group %1', model.name);
    this.title.icon = studioIcon;
    this.title.closable = true;
    this.addClass('jp-mlstudio-ModelGroupWidget');
  }
}

export namespace ModelGroupWidget {
  export interface IOptions {
    /** Opens the endpoint a version was deployed to. */
    onOpenEndpoint?: (name: string) => void;
    /** The studio's artifact root: URIs under it are printed relative to it. */
    artifactRoot?: ArtifactRoot;
  }
}
