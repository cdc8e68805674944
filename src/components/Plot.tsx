/**
 * A plotly chart, themed from JupyterLab's CSS variables (light and dark). plotly.js
 * (~4.6 MB) is fetched with a dynamic import the first time a chart is drawn.
 */
import type * as PlotlyModule from 'plotly.js';
import React from 'react';

export type PlotlyApi = typeof PlotlyModule;
export type PlotData = Partial<PlotlyModule.PlotData>;
export type PlotLayout = Partial<PlotlyModule.Layout>;

let plotly: Promise<PlotlyApi> | null = null;

/** plotly.js, loaded once on first use. */
export function loadPlotly(): Promise<PlotlyApi> {
  if (!plotly) {
    plotly = import('plotly.js-dist-min').then(
      module =>
        ((module as unknown as { default?: PlotlyApi }).default ??
          module) as PlotlyApi
    );
    plotly.catch(() => (plotly = null));
  }
  return plotly;
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/** Layout colours and fonts of the current JupyterLab theme. */
export function themeLayout(): PlotLayout {
  const font = cssVar('--jp-ui-font-color1', '#212121');
  const grid = cssVar('--jp-border-color2', '#e0e0e0');
  const line = cssVar('--jp-border-color1', '#bdbdbd');
  const background = cssVar('--jp-layout-color0', '#ffffff');
  const axis = { gridcolor: grid, zerolinecolor: line, linecolor: line };
  return {
    paper_bgcolor: background,
    plot_bgcolor: background,
    font: {
      color: font,
      family: cssVar('--jp-ui-font-family', 'sans-serif'),
      size: 11
    },
    xaxis: axis,
    yaxis: axis,
    legend: { bgcolor: 'rgba(0,0,0,0)' },
    margin: { l: 56, r: 16, t: 32, b: 44 },
    hoverlabel: { namelength: 40 }
  };
}

/** `layout` over the theme's, axis by axis. */
export function themedLayout(layout: PlotLayout = {}): PlotLayout {
  const theme = themeLayout();
  const merged: Record<string, unknown> = { ...theme, ...layout };
  for (const axis of ['xaxis', 'yaxis'] as const) {
    merged[axis] = { ...theme[axis], ...layout[axis] };
  }
  return merged as PlotLayout;
}

/** Whether JupyterLab shows a light theme; changes re-render charts. */
function useThemeKey(): string {
  const read = () => document.body.dataset.jpThemeName ?? '';
  const [key, setKey] = React.useState(read);
  React.useEffect(() => {
    const observer = new MutationObserver(() => setKey(read()));
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
    return () => observer.disconnect();
  }, []);
  return key;
}

export interface IPlotProps {
  data: PlotData[];
  layout?: PlotLayout;
  /** Names the chart for assistive technology and tests. */
  label: string;
  className?: string;
  /** Called once the chart is drawn, with its element. */
  onDrawn?: (element: HTMLElement) => void;
}

const CONFIG: Partial<PlotlyModule.Config> = {
  responsive: true,
  displaylogo: false,
  modeBarButtonsToRemove: ['sendDataToCloud', 'lasso2d', 'select2d']
};

/** One plotly chart; redrawn when its data, layout or the theme change. */
export function Plot(props: IPlotProps): JSX.Element {
  const ref = React.useRef<HTMLDivElement>(null);
  const theme = useThemeKey();
  const [error, setError] = React.useState('');
  React.useEffect(() => {
    let cancelled = false;
    loadPlotly()
      .then(async Plotly => {
        const node = ref.current;
        if (cancelled || !node) {
          return;
        }
        await Plotly.react(
          node,
          props.data as PlotlyModule.Data[],
          themedLayout(props.layout),
          CONFIG
        );
        node.dataset.drawn = String(Date.now());
        props.onDrawn?.(node);
      })
      .catch(reason => setError(String(reason)));
    return () => {
      cancelled = true;
    };
  }, [props.data, props.layout, theme]);
  React.useEffect(() => {
    const node = ref.current;
    return () => {
      if (node) {
        void loadPlotly().then(Plotly => Plotly.purge(node));
      }
    };
  }, []);
  return (
    <div className={`jp-mlstudio-PlotBox ${props.className ?? ''}`}>
      {error && <p role="alert">{error}</p>}
      <div
        ref={ref}
        className="jp-mlstudio-Plot"
        role="img"
        aria-label={props.label}
      />
    </div>
  );
}

/** Save a drawn chart as a PNG file (plotly's downloadImage). */
export async function savePng(
  element: HTMLElement,
  filename: string
): Promise<void> {
  const Plotly = await loadPlotly();
  await Plotly.downloadImage(element, {
    format: 'png',
    filename,
    width: element.clientWidth || 800,
    height: element.clientHeight || 450
  });
}
