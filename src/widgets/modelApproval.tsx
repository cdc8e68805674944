/**
 * Approving or rejecting a model version: a dialog that asks for an optional approval
 * description, then UpdateModelPackage; a refusal is shown in a dialog.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { ModelApprovalStatus } from '../api/registry';
import { approvalLabel } from '../components/ApprovalBadge';
import { ModelGroupModel } from '../models/registryGroup';

/** The longest approval description SageMaker takes. */
export const MAX_APPROVAL_DESCRIPTION = 1024;

/** The dialog's body: what the change does, and the description. */
export class ApprovalForm
  extends ReactWidget
  implements Dialog.IBodyWidget<string>
{
  constructor(
    private _decision: 'Approved' | 'Rejected',
    private _current: ModelApprovalStatus,
    private _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-mlstudio-ApprovalForm');
  }

  /** The description as typed (trimmed; '' for none). */
  getValue(): string {
    return (this.node.querySelector('textarea')?.value.trim() ?? '').slice(
      0,
      MAX_APPROVAL_DESCRIPTION
    );
  }

  protected render(): JSX.Element {
    const trans = this._trans;
    return (
      <div className="jp-mlstudio-ApprovalForm-body">
        <p>
          {this._decision === 'Approved'
            ? trans.__(
                'An approved version can be deployed to an endpoint, and pipelines that deploy approved versions pick it up.'
              )
            : trans.__(
                'A rejected version cannot be deployed until it is approved again.'
              )}{' '}
          {trans.__(
            'It is now %1.',
            approvalLabel(this._current, trans).toLowerCase()
          )}
        </p>
        <label className="jp-mlstudio-DeployForm-field">
          <span>{trans.__('Approval description (optional)')}</span>
          <textarea
            className="jp-mod-styled jp-mlstudio-ApprovalForm-description"
            name="approvalDescription"
            rows={3}
            maxLength={MAX_APPROVAL_DESCRIPTION}
            placeholder={
              this._decision === 'Approved'
                ? trans.__('e.g. accuracy 0.91 on the holdout set')
                : trans.__('e.g. worse than version 3 on recall')
            }
          />
        </label>
      </div>
    );
  }
}

/**
 * Ask, then approve or reject `version` of the model's group. Answers whether it
 * changed.
 */
export async function confirmApproval(
  model: ModelGroupModel,
  version: number,
  current: ModelApprovalStatus,
  decision: 'Approved' | 'Rejected',
  trans: TranslationBundle
): Promise<boolean> {
  const approve = decision === 'Approved';
  const result = await showDialog<string>({
    title: approve
      ? trans.__('Approve version %1 of “%2”?', version, model.name)
      : trans.__('Reject version %1 of “%2”?', version, model.name),
    body: new ApprovalForm(decision, current, trans),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      approve
        ? Dialog.okButton({ label: trans.__('Approve') })
        : Dialog.warnButton({ label: trans.__('Reject') })
    ],
    focusNodeSelector: 'textarea'
  });
  if (!result.button.accept) {
    return false;
  }
  try {
    await model.setApproval(version, decision, result.value ?? '');
    return true;
  } catch (error) {
    await showErrorMessage(
      approve
        ? trans.__('Could not approve version %1', version)
        : trans.__('Could not reject version %1', version),
      error as Error
    );
    return false;
  }
}
