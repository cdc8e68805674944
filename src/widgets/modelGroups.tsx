/**
 * The Models section: registered model package groups with their description, number
 * of versions and latest version's approval status, filtered by name; a row opens the
 * group's view.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { Debouncer } from '@lumino/polling';
import React from 'react';

import { ApprovalBadge, approvalLabel } from '../components/ApprovalBadge';
import { EmptyState } from '../components/EmptyState';
import { absoluteTime, relativeTime } from '../format';
import { IModelGroupRow, ModelGroupsModel } from '../models/registry';
import { SectionView, SectionWidget } from './section';

/** What the sidebar does when a model group is opened. */
export interface IModelActions {
  openModelGroup(name: string): void;
}

/** How long typing pauses before the search is sent, in milliseconds. */
const SEARCH_DELAY = 300;

/** "3 versions" (or "1000+ versions"). */
export function versionCount(
  row: IModelGroupRow,
  trans: TranslationBundle
): string {
  if (row.versions === null) {
    return '';
  }
  if (row.more) {
    return trans.__('%1+ versions', row.versions);
  }
  return trans._n('%1 version', '%1 versions', row.versions);
}

export interface IModelGroupsSectionProps {
  model: ModelGroupsModel;
  trans: TranslationBundle;
  onOpen?: (name: string) => void;
}

/** Model package groups, with a name search. */
export function ModelGroupsSection(
  props: IModelGroupsSectionProps
): JSX.Element {
  const { model, trans, onOpen } = props;
  const [query, setQuery] = React.useState(model.nameContains);
  const debouncer = React.useMemo(
    () =>
      new Debouncer((value: string) => {
        model.nameContains = value;
      }, SEARCH_DELAY),
    [model]
  );
  React.useEffect(() => () => debouncer.dispose(), [debouncer]);
  const search = (
    <input
      type="search"
      className="jp-mod-styled jp-mlstudio-Search"
      placeholder={trans.__('Search models')}
      aria-label={trans.__('Search model groups by name')}
      value={query}
      onChange={event => {
        setQuery(event.target.value);
        void debouncer.invoke(event.target.value);
      }}
    />
  );
  return (
    <SectionView<IModelGroupRow>
      model={model}
      trans={trans}
      texts={{
        noun: trans.__('model groups'),
        emptyTitle: trans.__('No registered models yet'),
        emptyBody: trans.__(
          'Register a trained model with estimator.register(model_package_group_name=…) or a pipeline’s RegisterModel step; its versions appear here, to approve and deploy.'
        )
      }}
      tools={search}
      renderEmpty={() =>
        model.nameContains ? (
          <EmptyState
            title={trans.__('No model groups match “%1”.', model.nameContains)}
          >
            {trans.__('The search looks for this text in group names.')}
          </EmptyState>
        ) : null
      }
      onOpenItem={onOpen && (row => onOpen(row.group.ModelPackageGroupName))}
      itemKey={row => row.group.ModelPackageGroupName}
      itemLabel={row =>
        [
          row.group.ModelPackageGroupName,
          trans.__('model group'),
          versionCount(row, trans),
          row.latest
            ? trans.__(
                'latest version %1 %2',
                row.latest.ModelPackageVersion,
                approvalLabel(row.latest.ModelApprovalStatus, trans)
              )
            : ''
        ]
          .filter(Boolean)
          .join(', ')
      }
      renderItem={row => <ModelGroupRow row={row} trans={trans} />}
    />
  );
}

function ModelGroupRow(props: {
  row: IModelGroupRow;
  trans: TranslationBundle;
}): JSX.Element {
  const { row, trans } = props;
  const { group, latest } = row;
  const name = group.ModelPackageGroupName;
  return (
    <div data-model-group={name}>
      <div className="jp-mlstudio-Row-main">
        <span className="jp-mlstudio-Row-name" title={name}>
          {name}
        </span>
        {latest ? (
          <span
            className="jp-mlstudio-ModelGroupRow-latest"
            title={trans.__(
              'Latest version: %1, registered %2',
              latest.ModelPackageVersion,
              absoluteTime(latest.CreationTime)
            )}
          >
            {trans.__('v%1', latest.ModelPackageVersion)}
          </span>
        ) : null}
        {latest ? (
          <ApprovalBadge
            status={latest.ModelApprovalStatus}
            trans={trans}
            short
          />
        ) : null}
      </div>
      {group.ModelPackageGroupDescription ? (
        <div
          className="jp-mlstudio-ModelGroupRow-description"
          title={group.ModelPackageGroupDescription}
        >
          {group.ModelPackageGroupDescription}
        </div>
      ) : null}
      <div className="jp-mlstudio-Row-detail">
        {row.versions === null ? null : row.versions === 0 ? (
          <span className="jp-mlstudio-ModelGroupRow-count">
            {trans.__('no versions yet')}
          </span>
        ) : (
          <span className="jp-mlstudio-ModelGroupRow-count">
            {versionCount(row, trans)}
          </span>
        )}
        {row.approved ? (
          <span className="jp-mlstudio-ModelGroupRow-approved">
            {trans.__('%1 approved', row.approved)}
          </span>
        ) : null}
        <time
          dateTime={latest?.CreationTime ?? group.CreationTime}
          title={absoluteTime(latest?.CreationTime ?? group.CreationTime)}
        >
          {latest
            ? trans.__('registered %1', relativeTime(latest.CreationTime))
            : trans.__('created %1', relativeTime(group.CreationTime))}
        </time>
      </div>
    </div>
  );
}

export function createModelGroupsWidget(
  model: ModelGroupsModel,
  trans: TranslationBundle,
  actions?: IModelActions
): SectionWidget {
  const onOpen = actions
    ? (name: string) => actions.openModelGroup(name)
    : undefined;
  return new SectionWidget(
    () => <ModelGroupsSection model={model} trans={trans} onOpen={onOpen} />,
    { id: 'mlstudio-models', label: trans.__('Models') }
  );
}
