import React from 'react';

export interface IVirtualListProps {
  /** How many rows there are. */
  count: number;
  /** The height of every row, in pixels. */
  rowHeight: number;
  /** The most the list grows to before it scrolls, in pixels. */
  maxHeight: number;
  /** One row; rendered inside an absolutely placed element of `rowHeight`. */
  renderRow: (index: number) => React.ReactNode;
  /** A key for a row (defaults to its index). */
  rowKey?: (index: number) => string;
  /** Rows rendered above and below the visible ones. */
  overscan?: number;
  className?: string;
  /** The accessible name of the list. */
  label?: string;
}

/**
 * A windowed list: only the rows in view (plus `overscan`) are in the DOM, so ten
 * thousand rows scroll as lightly as ten. Rows have one fixed height.
 */
export function VirtualList(props: IVirtualListProps): JSX.Element {
  const { count, rowHeight, maxHeight, overscan = 8 } = props;
  const [scrollTop, setScrollTop] = React.useState(0);
  const height = Math.min(maxHeight, count * rowHeight);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(
    count,
    Math.ceil((scrollTop + height) / rowHeight) + overscan
  );
  const rows: React.ReactNode[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <div
        key={props.rowKey?.(index) ?? index}
        className="jp-mlstudio-VirtualList-row"
        role="listitem"
        aria-posinset={index + 1}
        aria-setsize={count}
        style={{
          position: 'absolute',
          top: index * rowHeight,
          height: rowHeight,
          left: 0,
          right: 0
        }}
      >
        {props.renderRow(index)}
      </div>
    );
  }
  return (
    <div
      className={`jp-mlstudio-VirtualList ${props.className ?? ''}`}
      role="list"
      aria-label={props.label}
      style={{ height, overflowY: 'auto', position: 'relative' }}
      onScroll={event => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div style={{ height: count * rowHeight, position: 'relative' }}>
        {rows}
      </div>
    </div>
  );
}
