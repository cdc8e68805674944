/**
 * One way to ask before a destructive action (stop, delete) and to say why it failed.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';

export interface IConfirmAction {
  /** The question, e.g. “Stop job “x”?”. */
  title: string;
  /** What the action does and what it keeps. */
  body: string;
  /** The label of the button that does nothing. */
  cancelLabel: string;
  /** The label of the (warning) button that runs the action. */
  acceptLabel: string;
  /** The error dialog's title when the action fails. */
  failedTitle: string;
  /** The action, run once the user accepts. */
  run: () => Promise<unknown>;
}

/**
 * Ask with a warning dialog, then run the action; a failure is shown in a dialog.
 *
 * @returns whether the user accepted and the action succeeded.
 */
export async function confirmAction(options: IConfirmAction): Promise<boolean> {
  const result = await showDialog({
    title: options.title,
    body: options.body,
    buttons: [
      Dialog.cancelButton({ label: options.cancelLabel }),
      Dialog.warnButton({ label: options.acceptLabel })
    ]
  });
  if (!result.button.accept) {
    return false;
  }
  try {
    await options.run();
    return true;
  } catch (error) {
    await showErrorMessage(options.failedTitle, error as Error);
    return false;
  }
}
