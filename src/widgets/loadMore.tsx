/**
 * The end of a paged list: a button that loads the next page; with `auto`, pressed by
 * itself when it scrolls into view (an IntersectionObserver, where the browser has one),
 * for lists that grow (a fixed-height list loads on scroll instead).
 */
import React from 'react';

export interface ILoadMoreProps {
  label: string;
  loading: boolean;
  onLoad: () => void;
  auto?: boolean;
}

export function LoadMore(props: ILoadMoreProps): JSX.Element {
  const auto = !!props.auto;
  const ref = React.useRef<HTMLButtonElement>(null);
  const onLoad = React.useRef(props.onLoad);
  onLoad.current = props.onLoad;
  React.useEffect(() => {
    const node = ref.current;
    if (!auto || !node || typeof IntersectionObserver === 'undefined') {
      return;
    }
    const observer = new IntersectionObserver(entries => {
      if (entries.some(entry => entry.isIntersecting)) {
        onLoad.current();
      }
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [auto]);
  return (
    <button
      ref={ref}
      type="button"
      className="jp-Button jp-mod-styled jp-mlstudio-LoadMore"
      disabled={props.loading}
      onClick={props.onLoad}
    >
      {props.label}
    </button>
  );
}
