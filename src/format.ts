/** Formatting of times, durations, numbers and artifact URIs for the views. */
import { Time } from '@jupyterlab/coreutils';

/** "3 minutes ago"; empty for a missing or unreadable time. */
export function relativeTime(iso: string | null | undefined): string {
  if (!iso || Number.isNaN(Date.parse(iso))) {
    return '';
  }
  return Time.formatHuman(iso);
}

/** The full local date and time, for tooltips. */
export function absoluteTime(iso: string | null | undefined): string {
  if (!iso || Number.isNaN(Date.parse(iso))) {
    return '';
  }
  return Time.format(iso);
}

/**
 * How long something ran: from `start` to `end`, or to `now` while it runs.
 * "45s", "3m 12s", "2h 05m", "3d 4h"; empty without a start.
 */
export function duration(
  start: string | null | undefined,
  end: string | null | undefined,
  now: Date = new Date()
): string {
  const from = start ? Date.parse(start) : NaN;
  const to = end ? Date.parse(end) : now.getTime();
  if (Number.isNaN(from) || Number.isNaN(to)) {
    return '';
  }
  const seconds = Math.max(0, Math.round((to - from) / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (days > 0) {
    return `${days}d ${hours % 24}h`;
  }
  if (hours > 0) {
    return `${hours}h ${pad(minutes % 60)}m`;
  }
  if (minutes > 0) {
    return `${minutes}m ${pad(seconds % 60)}s`;
  }
  return `${seconds}s`;
}

function pad(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** A metric or parameter value in few characters: 0.9123, 1.23e-5, 12,345. */
export function formatNumber(
  value: number | string | null | undefined
): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (!Number.isFinite(value)) {
    return String(value);
  }
  if (Number.isInteger(value) && Math.abs(value) < 1e15) {
    return value.toLocaleString('en-US');
  }
  const size = Math.abs(value);
  if (size !== 0 && (size < 1e-3 || size >= 1e6)) {
    return value.toExponential(2);
  }
  return String(Number(value.toPrecision(4)));
}

/**
 * An artifact's URI as the views print it: relative to the studio's artifact root
 * (`runs/r1/…/confusion.json`) when it lies under it, whole otherwise (another
 * bucket, another folder, or while the root is not known). The relative part of a
 * `file:` URI is percent-decoded, as it names local files.
 */
export function artifactDisplayUri(
  uri: string,
  root: string | null | undefined
): string {
  const base = root?.replace(/\/$/, '');
  if (!base || !uri.startsWith(`${base}/`)) {
    return uri;
  }
  const relative = uri.slice(base.length + 1);
  if (!relative || !base.startsWith('file:')) {
    return relative || uri;
  }
  try {
    return decodeURI(relative);
  } catch {
    return relative;
  }
}
