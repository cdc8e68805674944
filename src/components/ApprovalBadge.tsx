/** A model version's approval status as a badge: a coloured dot and words. */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { ModelApprovalStatus } from '../api/registry';
import { StatusTone } from './StatusBadge';

const TONES: Record<ModelApprovalStatus, StatusTone> = {
  Approved: 'success',
  PendingManualApproval: 'warning',
  Rejected: 'error'
};

/** "Approved", "Pending approval", "Rejected". */
export function approvalLabel(
  status: ModelApprovalStatus,
  trans: TranslationBundle
): string {
  switch (status) {
    case 'Approved':
      return trans.__('Approved');
    case 'Rejected':
      return trans.__('Rejected');
    default:
      return trans.__('Pending approval');
  }
}

/** The badge; it looks like the status badges of jobs and endpoints. */
export function ApprovalBadge(props: {
  status: ModelApprovalStatus;
  trans: TranslationBundle;
  /** A longer text for the tooltip (e.g. the approval description). */
  title?: string;
  /** Say "Pending" for a version pending approval (where room is short). */
  short?: boolean;
}): JSX.Element {
  const full = approvalLabel(props.status, props.trans);
  const label =
    props.short && props.status === 'PendingManualApproval'
      ? props.trans.__('Pending')
      : full;
  return (
    <span
      className={`jp-mlstudio-StatusBadge jp-mlstudio-ApprovalBadge jp-mlstudio-mod-${TONES[props.status] ?? 'neutral'}`}
      data-approval={props.status}
      title={props.title || full}
    >
      <span className="jp-mlstudio-StatusBadge-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
