import React from 'react';

/** The colour family of a status; each maps to a JupyterLab theme variable in CSS. */
export type StatusTone =
  'success' | 'progress' | 'warning' | 'error' | 'neutral';

const TONES: Record<string, StatusTone> = {
  // runs and jobs
  Completed: 'success',
  InProgress: 'progress',
  Stopping: 'warning',
  Stopped: 'neutral',
  Failed: 'error',
  // endpoints
  InService: 'success',
  Creating: 'progress',
  Updating: 'progress',
  SystemUpdating: 'progress',
  RollingBack: 'warning',
  OutOfService: 'warning',
  Deleting: 'neutral',
  // Debugger and profiler rule evaluations
  NoIssuesFound: 'success',
  IssuesFound: 'error',
  Error: 'warning',
  // Model Monitor schedules and executions
  Pending: 'progress',
  Scheduled: 'success',
  CompletedWithViolations: 'error',
  // Application Auto Scaling's activities
  Successful: 'success',
  Unfulfilled: 'warning',
  Overridden: 'neutral'
};

/** The tone of a SageMaker-style status such as 'InProgress' or 'InService'. */
export function statusTone(status: string): StatusTone {
  return TONES[status] ?? 'neutral';
}

/** "InProgress" → "In progress", "LaunchingMLInstances" → "Launching ML instances". */
export function statusLabel(status: string): string {
  const words = status
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(' ');
  return words
    .map((word, index) =>
      index === 0 || (word.length > 1 && word === word.toUpperCase())
        ? word
        : word.toLowerCase()
    )
    .join(' ');
}

export interface IStatusBadgeProps {
  status: string;
  /** Overrides the readable label (e.g. a translation). */
  label?: string;
}

/** A small pill: a coloured dot and the status in words (colour is never the only cue). */
export function StatusBadge(props: IStatusBadgeProps): JSX.Element {
  const tone = statusTone(props.status);
  const label = props.label ?? statusLabel(props.status);
  return (
    <span
      className={`jp-mlstudio-StatusBadge jp-mlstudio-mod-${tone}`}
      data-status={props.status}
      title={label}
    >
      <span className="jp-mlstudio-StatusBadge-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
