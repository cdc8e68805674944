/**
 * What the run, job and endpoint views share as main-area widgets: each shows one
 * model, loads it when it opens, lets it poll only while the view is on screen (a
 * background tab stands by; coming to the front reloads at once), and disposes it
 * when the view closes.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import { IDisposable } from '@lumino/disposable';
import { Message } from '@lumino/messaging';

/** What a main-area view needs of its model. */
export interface IViewModel extends IDisposable {
  /** Whether the view is on screen: the model polls only while it is. */
  active: boolean;
  /** Load now. */
  refresh(): Promise<void>;
}

export class MainAreaView<
  M extends IViewModel
> extends MainAreaWidget<ReactWidget> {
  constructor(
    readonly model: M,
    content: ReactWidget
  ) {
    super({ content });
    this.content.addClass('jp-mlstudio-ViewContent');
    void model.refresh();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.active = this.isVisible;
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.active = false;
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.active = true;
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.active = false;
  }
}
