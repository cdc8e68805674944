/**
 * A log that follows its end: windowed lines (only those in view are in the DOM, so
 * long logs stay light), auto-scroll while the reader is at the bottom (scrolling up
 * pauses it, "Follow" resumes), and a search that highlights matches and steps
 * through them with Enter / Shift+Enter.
 */
import React from 'react';

/** The height of a line, in pixels (set inline so the window math holds). */
export const LOG_LINE_HEIGHT = 18;
const OVERSCAN = 20;
/** The height of an empty log, and the room left for a horizontal scrollbar. */
const MIN_HEIGHT = 120;
const PADDING = 16;

export interface ILogViewerLabels {
  log: string;
  search: string;
  /** "%1 of %2" for the current match and the match count. */
  matches: (current: number, total: number) => string;
  noMatches: string;
  follow: string;
  following: string;
  previous: string;
  next: string;
  /** Shown above the first line when older lines were dropped. */
  dropped: (count: number) => string;
  empty: string;
}

export interface ILogViewerProps {
  lines: readonly string[];
  /** Changes whenever `lines` changed (the array may be the same object). */
  version: number;
  labels: ILogViewerLabels;
  /** Lines dropped before the first one (for line numbers). */
  dropped?: number;
  /** The most the scrolling area grows to, in pixels; it fits shorter logs. */
  maxHeight?: number;
  /** Extra controls in the toolbar (e.g. a host selector). */
  tools?: React.ReactNode;
}

/** The indexes of the lines that contain `query` (case-insensitive). */
export function findMatches(lines: readonly string[], query: string): number[] {
  const needle = query.toLowerCase();
  const found: number[] = [];
  if (!needle) {
    return found;
  }
  lines.forEach((line, index) => {
    if (line.toLowerCase().includes(needle)) {
      found.push(index);
    }
  });
  return found;
}

function highlight(line: string, query: string): React.ReactNode {
  if (!query) {
    return line;
  }
  const lower = line.toLowerCase();
  const needle = query.toLowerCase();
  const parts: React.ReactNode[] = [];
  let from = 0;
  let at = lower.indexOf(needle);
  while (at >= 0) {
    parts.push(line.slice(from, at));
    parts.push(
      <mark key={at} className="jp-mlstudio-LogViewer-match">
        {line.slice(at, at + needle.length)}
      </mark>
    );
    from = at + needle.length;
    at = lower.indexOf(needle, from);
  }
  parts.push(line.slice(from));
  return parts;
}

export function LogViewer(props: ILogViewerProps): JSX.Element {
  const { lines, version, labels, dropped = 0, maxHeight = 420 } = props;
  const height = Math.min(
    maxHeight,
    Math.max(MIN_HEIGHT, lines.length * LOG_LINE_HEIGHT + PADDING)
  );
  const scroller = React.useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = React.useState(0);
  const [follow, setFollow] = React.useState(true);
  const [query, setQuery] = React.useState('');
  const [current, setCurrent] = React.useState(0);
  const matches = React.useMemo(
    () => findMatches(lines, query),
    [lines, version, query]
  );
  const active = matches.length
    ? matches[Math.min(current, matches.length - 1)]
    : -1;

  // Follow the end: after new lines render, scroll to the bottom.
  React.useLayoutEffect(() => {
    const node = scroller.current;
    if (follow && node) {
      node.scrollTop = node.scrollHeight;
      setScrollTop(node.scrollTop);
    }
  }, [version, follow]);

  const onScroll = (event: React.UIEvent<HTMLDivElement>) => {
    const node = event.currentTarget;
    setScrollTop(node.scrollTop);
    const atBottom =
      node.scrollTop + node.clientHeight >= node.scrollHeight - LOG_LINE_HEIGHT;
    if (atBottom !== follow) {
      setFollow(atBottom);
    }
  };

  const reveal = (index: number) => {
    setFollow(false);
    const node = scroller.current;
    if (node) {
      node.scrollTop = Math.max(0, index * LOG_LINE_HEIGHT - height / 2);
      setScrollTop(node.scrollTop);
    }
  };

  const step = (by: number) => {
    if (!matches.length) {
      return;
    }
    const next =
      (Math.min(current, matches.length - 1) + by + matches.length) %
      matches.length;
    setCurrent(next);
    reveal(matches[next]);
  };

  const first = Math.max(0, Math.floor(scrollTop / LOG_LINE_HEIGHT) - OVERSCAN);
  const last = Math.min(
    lines.length,
    Math.ceil((scrollTop + height) / LOG_LINE_HEIGHT) + OVERSCAN
  );
  const rows: React.ReactNode[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <div
        key={index}
        className={`jp-mlstudio-LogViewer-line${index === active ? ' jp-mod-current' : ''}`}
        style={{
          top: index * LOG_LINE_HEIGHT,
          height: LOG_LINE_HEIGHT,
          lineHeight: `${LOG_LINE_HEIGHT}px`
        }}
      >
        <span className="jp-mlstudio-LogViewer-number" aria-hidden="true">
          {index + dropped + 1}
        </span>
        <span className="jp-mlstudio-LogViewer-text">
          {highlight(lines[index], query)}
        </span>
      </div>
    );
  }

  return (
    <div className="jp-mlstudio-LogViewer">
      <div className="jp-mlstudio-LogViewer-toolbar">
        {props.tools}
        <input
          type="search"
          className="jp-mod-styled jp-mlstudio-LogViewer-search"
          placeholder={labels.search}
          aria-label={labels.search}
          value={query}
          onChange={event => {
            setQuery(event.target.value);
            setCurrent(0);
          }}
          onKeyDown={event => {
            if (event.key === 'Enter') {
              event.preventDefault();
              step(event.shiftKey ? -1 : 1);
            }
          }}
        />
        {query ? (
          <span className="jp-mlstudio-LogViewer-count" role="status">
            {matches.length
              ? labels.matches(
                  Math.min(current, matches.length - 1) + 1,
                  matches.length
                )
              : labels.noMatches}
          </span>
        ) : null}
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mlstudio-LogViewer-step"
          aria-label={labels.previous}
          title={labels.previous}
          disabled={!matches.length}
          onClick={() => step(-1)}
        >
          ↑
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-minimal jp-mlstudio-LogViewer-step"
          aria-label={labels.next}
          title={labels.next}
          disabled={!matches.length}
          onClick={() => step(1)}
        >
          ↓
        </button>
        {dropped > 0 ? (
          <span className="jp-mlstudio-LogViewer-dropped">
            {labels.dropped(dropped)}
          </span>
        ) : null}
        <button
          type="button"
          className="jp-mlstudio-LogViewer-follow"
          aria-pressed={follow}
          onClick={() => setFollow(true)}
        >
          {follow ? labels.following : labels.follow}
        </button>
      </div>
      <div
        ref={scroller}
        className="jp-mlstudio-LogViewer-scroller"
        role="log"
        aria-label={labels.log}
        aria-live="off"
        tabIndex={0}
        style={{ height }}
        onScroll={onScroll}
      >
        {lines.length === 0 ? (
          <div className="jp-mlstudio-LogViewer-empty">{labels.empty}</div>
        ) : (
          <div
            className="jp-mlstudio-LogViewer-lines"
            style={{ height: lines.length * LOG_LINE_HEIGHT }}
          >
            {rows}
          </div>
        )}
      </div>
    </div>
  );
}
