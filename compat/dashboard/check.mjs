// End-to-end check of Gantry's live dashboard in Debian's headless Chromium (playwright-core drives
// it; no browser is downloaded). Opens GANTRY_DASHBOARD_URL while traffic flows, waits for the
// uPlot charts and the backend table, asserts that the expected backend is up and that requests/s
// rose above zero, and saves a screenshot to SCREENSHOT_PATH. Exit 0 on success, 1 on failure.
//
//   GANTRY_DASHBOARD_URL=http://127.0.0.1:8800/dashboard SCREENSHOT_PATH=/tmp/d.png node check.mjs
//
// Optional: GANTRY_EXPECT_BACKEND (default sim-openai), CHROMIUM_PATH (default /usr/bin/chromium),
// CHECK_TIMEOUT_MS (default 45000), CHECK_MORE_UPDATES (refreshes to wait for once traffic shows,
// default 3).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const url = process.env.GANTRY_DASHBOARD_URL;
const screenshot = process.env.SCREENSHOT_PATH;
const backend = process.env.GANTRY_EXPECT_BACKEND || 'sim-openai';
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const timeout = Number(process.env.CHECK_TIMEOUT_MS || 45000);
const minUpdates = Number(process.env.CHECK_MORE_UPDATES || 3);
if (!url || !screenshot) {
  console.error('set GANTRY_DASHBOARD_URL and SCREENSHOT_PATH');
  process.exit(2);
}

const problems = [];
const origin = new URL(url).origin;
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

let ok = false;
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(timeout);
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('request', (req) => {
    const target = req.url();
    if (!target.startsWith(origin) && !target.startsWith('data:')) {
      problems.push(`request outside Gantry: ${target}`);
    }
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  page.on('requestfailed', (req) => {
    problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });

  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || response.status() !== 200) {
    throw new Error(`GET ${url} answered ${response && response.status()}`);
  }

  // Five uPlot charts, each with its canvas.
  await page.waitForFunction(
    () => document.querySelectorAll('#charts .chart .uplot canvas').length >= 5,
  );
  // The expected backend's row, shown as up.
  const row = page.locator(`#backends tbody tr[data-backend="${backend}"]`);
  await row.waitFor();
  await page.waitForFunction(
    (name) => document.querySelector(`#backends tbody tr[data-backend="${name}"]`)?.dataset.up === 'true',
    backend,
  );
  const rowText = (await row.innerText()).replace(/\s+/g, ' ');
  if (!/\bup\b/.test(rowText)) throw new Error(`backend row does not say up: ${rowText}`);

  // Traffic reached the page: the requests/s tile and the requests chart are above zero, and the
  // latency and tokens charts have points.
  await page.waitForFunction(() => {
    const rps = Number(document.getElementById('tile-rps').dataset.value);
    const chart = Number(document.getElementById('chart-requests').dataset.max);
    const latency = Number(document.getElementById('chart-latency').dataset.max);
    const tokens = Number(document.getElementById('chart-tokens').dataset.max);
    return rps > 0 && chart > 0 && latency > 0 && tokens > 0;
  });
  // A few more refreshes, so the charts draw lines rather than dots and the screenshot shows a
  // settled page.
  const updates = Number(await page.locator('body').getAttribute('data-updates'));
  await page.waitForFunction(
    (n) => Number(document.body.dataset.updates) >= n,
    updates + minUpdates,
  );

  const summary = await page.evaluate(() => ({
    requestsPerSecond: Number(document.getElementById('tile-rps').dataset.value),
    chartMax: Object.fromEntries(
      [...document.querySelectorAll('#charts .chart')].map((c) => [c.id, Number(c.dataset.max)]),
    ),
    canvases: document.querySelectorAll('#charts .uplot canvas').length,
    backends: [...document.querySelectorAll('#backends tbody tr')].map((tr) => ({
      name: tr.dataset.backend,
      up: tr.dataset.up,
    })),
    models: [...document.querySelectorAll('#models tbody tr')].map((tr) => tr.dataset.model),
    status: document.getElementById('status').dataset.state,
    updates: Number(document.body.dataset.updates),
  }));
  console.log('dashboard:', JSON.stringify(summary));
  if (summary.status !== 'ok') throw new Error(`status indicator is ${summary.status}`);
  if (problems.length > 0) throw new Error(`the page reported problems:\n  ${problems.join('\n  ')}`);
  ok = true;
} catch (err) {
  console.error(`dashboard check failed: ${err.stack || err}`);
  if (problems.length > 0) console.error(`problems seen:\n  ${problems.join('\n  ')}`);
} finally {
  try {
    mkdirSync(dirname(screenshot), { recursive: true });
    const [page] = browser.contexts().flatMap((c) => c.pages());
    if (page) {
      await page.screenshot({ path: screenshot, fullPage: true });
      console.log(`screenshot: ${screenshot}`);
    }
  } catch (err) {
    console.error(`screenshot failed: ${err}`);
    ok = false;
  }
  await browser.close();
}
process.exit(ok ? 0 : 1);
