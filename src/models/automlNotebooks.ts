/**
 * An AutoML job's notebooks in the Jupyter contents: each is read through the job's
 * artifacts route and saved as `automl/<job>/<file>` under the server root (the
 * folders made first), where JupyterLab opens it like any notebook.
 */
import { Contents } from '@jupyterlab/services';

import { AutoMLNotebook, getAutoMLNotebook } from '../api/automl';

/** The folder, under the server root, that holds the notebooks of AutoML jobs. */
export const NOTEBOOKS_FOLDER = 'automl';

/** Where the notebook `file` of job `job` is saved, relative to the server root. */
export function notebookPath(job: string, file: AutoMLNotebook): string {
  return `${NOTEBOOKS_FOLDER}/${job}/${file}`;
}

/**
 * Read the job's notebook and save it into the contents (replacing an older copy);
 * answers its path.
 *
 * @throws {StudioApiError} when the job has not written the notebook (404) or the
 *   server refuses; the contents manager's error when the file cannot be saved.
 */
export async function saveAutoMLNotebook(
  contents: Contents.IManager,
  job: string,
  file: AutoMLNotebook
): Promise<string> {
  const notebook = await getAutoMLNotebook(job, file);
  for (const folder of [NOTEBOOKS_FOLDER, `${NOTEBOOKS_FOLDER}/${job}`]) {
    await contents.save(folder, { type: 'directory' });
  }
  const path = notebookPath(job, file);
  await contents.save(path, {
    type: 'notebook',
    format: 'json',
    content: notebook
  });
  return path;
}
