/**
 * The "ML Studio" left sidebar: a header, a refresh button, and collapsible
 * Experiments / Jobs / Tuning / Pipelines / Endpoints / Models sections — or one notice when the API
 * does not answer.
 */
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import {
  refreshIcon,
  SidePanel,
  Toolbar,
  ToolbarButton
} from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { AccordionPanel, PanelLayout, Widget } from '@lumino/widgets';

import { studioIcon } from '../icons';
import { ExperimentsModel } from '../models/experiments';
import { PipelinesModel } from '../models/pipelines';
import { MissingExtension, SectionName, StudioModel } from '../models/studio';
import { createEndpointsWidget, IEndpointActions } from './endpoints';
import { createExperimentsWidget, IRunActions } from './experiments';
import { createJobsWidget, IJobActions } from './jobs';
import { createModelGroupsWidget, IModelActions } from './modelGroups';
import { NoticeWidget } from './notice';
import { createPipelinesWidget, IPipelineActions } from './pipelines';
import { createTuningJobsWidget, ITuningActions } from './tuningJobs';

/** The id of the sidebar in the shell (used by `mlstudio:open-sidebar`). */
export const SIDEBAR_ID = 'mlstudio-sidebar';

/** The share of the sidebar's height each section starts with (relative). */
const SECTION_WEIGHTS: Partial<Record<SectionName | 'pipelines', number>> = {
  experiments: 6,
  jobs: 2,
  endpoints: 2
};
/**
 * The least share of the sections' height the Experiments section takes when an
 * experiment expands, so its runs show under its filters (the rest keep their ratios).
 */
export const EXPANDED_SHARE = 0.6;

export class StudioSidebar extends SidePanel {
  constructor(options: StudioSidebar.IOptions) {
    const translator = options.translator ?? nullTranslator;
    super({ translator });
    const trans = translator.load('jupyter_mlstudio');
    this.model = options.model;
    this.pipelines =
      options.pipelines ??
      new PipelinesModel({ interval: options.model.interval });
    this.id = SIDEBAR_ID;
    this.title.icon = studioIcon;
    this.title.caption = trans.__('ML Studio');
    this.addClass('jp-mlstudio-Sidebar');

    const heading = document.createElement('h2');
    heading.className = 'jp-mlstudio-Sidebar-title';
    heading.textContent = trans.__('ML Studio');
    this.toolbar.addItem('title', new Widget({ node: heading }));
    this.toolbar.addItem('spacer', Toolbar.createSpacerItem());
    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: trans.__('Refresh ML Studio'),
        onClick: () =>
          void Promise.all([this.model.refresh(), this.pipelines.refresh()])
      })
    );

    this._notice = new NoticeWidget(trans, () => void this.model.refresh());
    this._notice.hide();
    const layout = this.layout as PanelLayout;
    layout.insertWidget(layout.widgets.length - 1, this._notice);

    const sections: [SectionName | 'pipelines', Widget][] = [
      [
        'experiments',
        createExperimentsWidget(this.model.experiments, trans, options.actions)
      ],
      ['jobs', createJobsWidget(this.model.jobs, trans, options.actions)],
      [
        'tuning',
        createTuningJobsWidget(this.model.tuning, trans, options.actions)
      ],
      [
        'pipelines',
        createPipelinesWidget(this.pipelines, trans, options.actions)
      ],
      [
        'endpoints',
        createEndpointsWidget(this.model.endpoints, trans, options.actions)
      ],
      [
        'models',
        createModelGroupsWidget(this.model.models, trans, options.actions)
      ]
    ];
    for (const [, widget] of sections) {
      this.addWidget(widget);
    }
    this._weights = sections.map(([name]) => SECTION_WEIGHTS[name] ?? 1);
    (this.content as AccordionPanel).expansionToggled.connect((_, index) => {
      const [name, widget] = sections[index];
      if (name === 'pipelines') {
        this._pipelinesExpanded = !widget.isHidden;
        this._updatePipelines();
      } else {
        this.model.setExpanded(name, !widget.isHidden);
      }
    });

    this.model.experiments.expandedChanged.connect(this._onExpanded, this);
    this.model.missingExtensionChanged.connect(this._onMissingChanged, this);
    this._onMissingChanged(this.model, this.model.missingExtension);
  }

  readonly model: StudioModel;
  /** The Pipelines section's model (it polls while the sidebar and the section show). */
  readonly pipelines: PipelinesModel;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.pipelines.dispose();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.visible = this.isVisible;
    this._updatePipelines();
    this._sizeSections();
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.visible = false;
    this._updatePipelines();
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.visible = true;
    this._updatePipelines();
    this._sizeSections();
  }

  /**
   * The first time the sidebar shows, Experiments get half its height (an expanded
   * one lists its runs under its filters); the section titles still resize and
   * collapse the sections afterwards.
   */
  private _sizeSections(): void {
    if (this._sized || !this.isVisible) {
      return;
    }
    this._sized = true;
    requestAnimationFrame(() => {
      if (!this.isDisposed) {
        (this.content as AccordionPanel).setRelativeSizes(this._weights);
      }
    });
  }

  private _onExpanded(experiments: ExperimentsModel, name: string): void {
    if (experiments.isExpanded(name)) {
      this._growExperiments();
    }
  }

  /**
   * Give the Experiments section (the first) at least `EXPANDED_SHARE` of the height;
   * the other sections shrink in proportion. A larger share the user chose is kept.
   */
  private _growExperiments(): void {
    const panel = this.content as AccordionPanel;
    const sizes = panel.relativeSizes();
    const others = sizes.slice(1).reduce((sum, size) => sum + size, 0);
    if (sizes.length < 2 || sizes[0] >= EXPANDED_SHARE || others <= 0) {
      return;
    }
    const scale = (1 - EXPANDED_SHARE) / others;
    panel.setRelativeSizes([
      EXPANDED_SHARE,
      ...sizes.slice(1).map(size => size * scale)
    ]);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.visible = false;
    this._updatePipelines();
  }

  /** The Pipelines section polls while the sidebar is on screen and it is expanded. */
  private _updatePipelines(): void {
    this.pipelines.active = this.model.visible && this._pipelinesExpanded;
  }

  private _onMissingChanged(
    _: StudioModel,
    missing: MissingExtension | null
  ): void {
    this._notice.missing = missing;
    this._notice.setHidden(!missing);
    this.content.setHidden(!!missing);
  }

  private _notice: NoticeWidget;
  private _sized = false;
  private _weights: number[] = [];
  private _pipelinesExpanded = true;
}

export namespace StudioSidebar {
  export interface IOptions {
    model: StudioModel;
    /** The Pipelines section's model; the sidebar makes one when not given. */
    pipelines?: PipelinesModel;
    translator?: ITranslator;
    /** Opens runs, jobs, tuning jobs, pipeline executions, endpoints, model groups and comparisons (the sidebar only lists them without it). */
    actions?: IRunActions &
      IJobActions &
      ITuningActions &
      IPipelineActions &
      IEndpointActions &
      IModelActions;
  }
}
