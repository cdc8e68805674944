/**
 * Galata UI tests of the ML Studio sidebar, in Debian's Chromium (Playwright cannot
 * download a browser here). Run with `CI=1 jlpm playwright test`.
 */
const fs = require('fs');
const path = require('path');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const port = Number(process.env.MLSTUDIO_UI_PORT || 8899);

// Galata and the test server write temporary folders: keep them in the ignored build/.
const tmp = path.resolve(__dirname, '..', 'build', 'galata-tmp');
fs.mkdirSync(tmp, { recursive: true });
process.env.TMPDIR = process.env.TMPDIR || tmp;
process.env.JUPYTERLAB_GALATA_ROOT_DIR =
  process.env.JUPYTERLAB_GALATA_ROOT_DIR || tmp;
process.env.MLSTUDIO_UI_PORT = String(port);

module.exports = {
  ...baseConfig,
  testDir: './tests',
  // The UI measurements (perf.spec.ts) seed 10,000 runs and take minutes: they are a
  // benchmark, run on demand with MLSTUDIO_PERF=1, not part of the test suite.
  testIgnore: process.env.MLSTUDIO_PERF ? [] : ['**/perf.spec.ts'],
  workers: 1,
  retries: 0,
  reporter: [[process.env.CI ? 'line' : 'list'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    video: 'off',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: {
    command: 'jlpm start',
    stdout: 'ignore',
    url: `http://localhost:${port}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI,
    // SIGTERM lets the studio stop the model servers of the endpoints the tests deployed;
    // a killed server would leave their containers running behind it.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30 * 1000 }
  }
};
