/**
 * A training job of two instances on the Ray runtime: the job view lists each host with
 * the cluster node it ran on, also once the job ended. Needs a server whose jobs run on
 * a Ray cluster: run it with `python ui-tests/with_ray_cluster.py tests/rayJobs.spec.ts`
 * (a real 2-node cluster on this machine); other runs skip it.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as os from 'os';
import * as path from 'path';

const API = '/mlstudio/api';
const FOLDER = 'mlstudio-ui-ray';
const shot = (name: string) =>
  path.resolve(__dirname, '..', 'screenshots', `${name}.png`);

const SCRIPT = `import os, time

print(f"hello from {os.environ['SM_CURRENT_HOST']}", flush=True)
time.sleep(2)
open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w").write("ok")
print("done", flush=True)
`;

/** Write the script into the server's root; answer its absolute path. */
async function prepare(page: IJupyterLabPageFixture): Promise<string> {
  await page.request.put(`/api/contents/${FOLDER}`, {
    data: { type: 'directory' }
  });
  const response = await page.request.put(`/api/contents/${FOLDER}/hosts.py`, {
    data: { type: 'file', format: 'text', content: SCRIPT }
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
  const root = await page.evaluate(
    () =>
      JSON.parse(document.getElementById('jupyter-config-data')!.textContent!)
        .serverRoot as string
  );
  return path.join(root.replace(/^~/, os.homedir()), FOLDER, 'hosts.py');
}

test.describe.configure({ mode: 'serial' });
test.setTimeout(240_000);
test.use({ viewport: { width: 1400, height: 1000 } });

test('the job view shows the node each host of a Ray job ran on', async ({
  page
}) => {
  test.skip(
    process.env.MLSTUDIO_RUNTIME !== 'ray',
    'needs a Ray cluster: python ui-tests/with_ray_cluster.py tests/rayJobs.spec.ts'
  );
  const script = await prepare(page);
  const name = `ui-ray-${Date.now().toString(36)}`;
  const created = await page.request.post(`${API}/training-jobs`, {
    data: {
      TrainingJobName: name,
      ScriptMode: { EntryPoint: script },
      ResourceConfig: { InstanceType: 'local', InstanceCount: 2 },
      StoppingCondition: { MaxRuntimeInSeconds: 600 }
    }
  });
  expect(created.status(), await created.text()).toBe(201);
  await expect
    .poll(
      async () => {
        const job = await (
          await page.request.get(`${API}/training-jobs/${name}`)
        ).json();
        return job.Status;
      },
      { timeout: 180_000, intervals: [1000] }
    )
    .toBe('Completed');
  const job = await (
    await page.request.get(`${API}/training-jobs/${name}`)
  ).json();
  expect(job.Runtime).toBe('ray');
  const recorded = job.Outputs.Hosts as {
    Host: string;
    Node: { NodeId: string; Address: string };
  }[];
  expect(recorded.map(h => h.Host)).toEqual(['algo-1', 'algo-2']);
  // gang-scheduled with SPREAD: one host a node
  expect(new Set(recorded.map(h => h.Node.NodeId)).size).toBe(2);

  const sidebar = page.locator('#mlstudio-sidebar');
  if (!(await sidebar.isVisible())) {
    await page
      .locator(
        '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="mlstudio-sidebar"]'
      )
      .click();
  }
  await sidebar.locator('#mlstudio-jobs li', { hasText: name }).click();
  const view = page.locator('.jp-mlstudio-JobWidget');
  await expect(view.locator('h1')).toHaveText(name);
  const rows = view.locator('.jp-mlstudio-HostNodes tbody tr');
  await expect(rows).toHaveCount(2);
  for (const [index, host] of recorded.entries()) {
    const row = rows.nth(index);
    await expect(row).toHaveAttribute('data-host', host.Host);
    await expect(row).toHaveAttribute('data-node', host.Node.NodeId);
    await expect(row.locator('.jp-mlstudio-NodeLabel-id')).toHaveText(
      host.Node.NodeId.slice(0, 8)
    );
    await expect(row).toContainText(host.Node.Address);
  }
  await expect(view.locator('.jp-mlstudio-LogHost option').nth(1)).toHaveText(
    `algo-2 (node ${recorded[1].Node.NodeId.slice(0, 8)}, ${recorded[1].Node.Address})`
  );
  await view
    .locator('.jp-mlstudio-HostNodes')
    .evaluate(node => node.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: shot('job-view-ray-nodes') });
  await page.theme.setDarkTheme();
  await expect(view.locator('.jp-mlstudio-HostNodes')).toBeVisible();
  await page.screenshot({ path: shot('job-view-ray-nodes-dark') });
  await page.theme.setLightTheme();
});
