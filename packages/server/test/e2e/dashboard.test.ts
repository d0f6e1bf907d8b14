/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the real
 * platform: sign-in, create an app, deploy by tarball upload and by `git push` with the build output
 * streaming, scale web 1→3, config var → release → rollback, live logs, errors next to their
 * controls, app values rendered as text, the CSRF rule, axe-core on every page, the first-load
 * budget, and the screenshots shown in the README (docs/screenshots/).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchBrowser, seriousA11yViolations, type TestBrowser } from '../helpers/browser.js';
import { freePort, startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, FIXTURES, remoteUrl, run, waitFor, type Checkout } from './deploy-helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../../../..' : '../../../..');
const SCREENSHOTS = path.join(repoRoot, 'docs', 'screenshots');
const APP = 'dash-e2e';
const EMAIL = 'admin@example.com';
const PASSWORD = 'dashboard-e2e-password';
const XSS = '<img src=x onerror=alert(1)>';
/** The budget for the first page load: compressed JS and CSS. */
const FIRST_LOAD_BUDGET = 250 * 1024;

let platform: RunningPlatform;
let browser: TestBrowser;
let page: Page;
const dialogs: string[] = [];
const cspViolations: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
let firstLoadBytes = 0;
let hasMetricsApi = false;

before(async () => {
  // SLIPWAY_METRICS_INTERVAL_MS: the router's metrics interval (10 s by default), shorter here.
  // SLIPWAY_BUILD_ISOLATION none: the wait-buildpack's TCP gate listens on the host's loopback, which
  // a runc build's own network namespace cannot reach (by design since the tenant-network work); the
  // router and metrics e2e files run without it too.
  platform = await startPlatform({ env: { SLIPWAY_BUILD_TIMEOUT_MS: String(10 * 60_000), SLIPWAY_METRICS_INTERVAL_MS: '2000', SLIPWAY_BUILD_ISOLATION: 'none' } });
  const r = await api(platform.url, platform.token, 'PUT', '/users/~/password', { password: PASSWORD });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  browser = await launchBrowser();
  page = browser.page;
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  await mkdir(SCREENSHOTS, { recursive: true });
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await browser?.close();
  await platform?.stop();
});

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

async function checkA11y(where: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  assert.deepEqual(violations.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `axe on ${where}`);
}

async function tab(name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'App' }).getByRole('link', { name }).click();
  await page.waitForURL(new RegExp(`/dashboard/apps/${APP}/${name.toLowerCase()}$`));
}

/** A request through the real router, `Host: <app>.localhost:<port>`. */
function routerGet(p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: platform.routerPort, path: p, headers: { Host: `${APP}.localhost:${platform.routerPort}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

describe('the dashboard in chromium', () => {
  test('sign-in: the page loads within budget, a wrong password shows its error, the right one signs in', async () => {
    page.on('response', (res) => {
      const type = res.headers()['content-type'] ?? '';
      if (/javascript|css/.test(type)) firstLoadBytes += Number(res.headers()['content-length'] ?? 0);
    });
    await page.goto(`${platform.url}/`);
    await page.getByLabel('Email').waitFor();
    assert.ok(firstLoadBytes > 0 && firstLoadBytes < FIRST_LOAD_BUDGET, `first load ${firstLoadBytes} bytes of compressed JS/CSS`);
    process.stdout.write(`# dashboard first load: ${firstLoadBytes} bytes of compressed JS and CSS (budget ${FIRST_LOAD_BUDGET})\n`);
    await checkA11y('sign-in');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sign-in-error').getByText('Invalid email or password.').waitFor();
    await screenshot('sign-in');
    // Keyboard only: Tab from the email field to the password field, Enter submits.
    await page.getByLabel('Email').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate<string>('document.activeElement.id'), 'password');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    const cookies = await browser.context.cookies();
    const session = cookies.find((c) => c.name === 'slipway_session');
    assert.ok(session, 'session cookie set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(await page.evaluate<string>('document.cookie'), '', 'the session cookie is not readable by scripts');
    await page.getByText('No apps yet').waitFor();
    await checkA11y('apps (empty)');
  });

  test('create app: an invalid name shows the API\'s error next to the field; a valid one opens the app', async () => {
    await page.getByLabel('New app name').fill('Bad_Name!');
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.locator('#create-error').getByText(/Name must start with a letter/).waitFor();
    await page.getByLabel('New app name').fill(APP);
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.waitForURL(new RegExp(`/dashboard/apps/${APP}/resources$`));
    await page.getByText('No process types yet').waitFor();
    await checkA11y('resources (empty)');
  });

  test('a state-changing request without the CSRF token is refused; with it, it passes', async () => {
    const refused = await page.evaluate(async () => {
      const res = await fetch('/apps', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/vnd.heroku+json; version=3' }, body: JSON.stringify({ name: 'csrf-less' }) });
      return { status: res.status, body: (await res.json()) as { id: string; message: string } };
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.id, 'forbidden');
    assert.match(refused.body.message, /CSRF/);
    assert.equal((await api(platform.url, platform.token, 'GET', '/apps/csrf-less')).status, 404);
  });

  test('deploy by tarball upload: the build output streams on the page and a release follows', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-dash-tgz-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const tgz = path.join(dir, 'log-app.tgz');
    assert.equal((await run('tar', ['-czf', tgz, '-C', path.join(FIXTURES, 'log-app'), '.'])).code, 0);
    await tab('Deploy');
    await checkA11y('deploy');
    await page.getByRole('button', { name: 'Upload and build' }).click();
    await page.locator('#upload-error').getByText(/Choose a \.tar\.gz/).waitFor();
    await page.getByLabel('Source tarball (.tar.gz)').setInputFiles(tgz);
    await page.getByRole('button', { name: 'Upload and build' }).click();
    const output = page.getByTestId('build-output');
    await output.getByText(/Procfile/).waitFor({ timeout: 300_000 });
    await page.getByText('output complete').waitFor({ timeout: 300_000 });
    await screenshot('deploy');
    const text = (await output.textContent()) ?? '';
    assert.match(text, /Launching|Released|v\d/, text);
    await waitFor('the release from the tarball', async () => {
      const r = await api<{ version: number; status: string }[]>(platform.url, platform.token, 'GET', `/apps/${APP}/releases`);
      return r.body.some((x) => x.status === 'succeeded') ? true : undefined;
    }, 120_000);
  });

  test('deploy by git push: the running build\'s output streams live on the Activity tab', async () => {
    // The build is held by a test buildpack until the test opens a TCP gate (as in deploy.test.ts),
    // so the page is seen streaming a build that is still running, whatever the machine's speed.
    const gate = net.createServer((socket) => socket.destroy());
    const gatePort = await freePort();
    cleanups.push(() => new Promise<void>((resolve) => gate.close(() => resolve())));
    const bp = await api(platform.url, platform.token, 'PUT', `/apps/${APP}/buildpack-installations`, { updates: [{ buildpack: path.join(FIXTURES, 'wait-buildpack') }] });
    assert.equal(bp.status, 200, JSON.stringify(bp.body));
    assert.equal((await api(platform.url, platform.token, 'PATCH', `/apps/${APP}/config-vars`, { WAIT_FOR: `127.0.0.1:${gatePort}` })).status, 200);
    const co: Checkout = await checkout('log-app');
    cleanups.push(() => co.close());
    await tab('Activity');
    await page.getByRole('heading', { name: 'Builds' }).waitFor();
    const pushing = co.git(['push', remoteUrl(platform.apiPort, APP, platform.token), 'HEAD:main']);
    const live = page.locator('.build[data-status="pending"]').getByTestId('build-output');
    await live.getByText(/Waiting for the test to let this build finish/).waitFor({ timeout: 120_000 });
    assert.doesNotMatch((await live.textContent()) ?? '', /released by the test/);
    await new Promise<void>((resolve) => gate.listen(gatePort, '127.0.0.1', resolve));
    // The same element, still streaming, gets the rest of the output.
    await page.getByTestId('build-output').getByText(/released by the test/).waitFor({ timeout: 60_000 });
    const pushed = await pushing;
    assert.equal(pushed.code, 0, pushed.output);
    await page.locator('.build[data-status="succeeded"]').first().waitFor({ timeout: 60_000 });
    await checkA11y('activity');
    assert.equal((await api(platform.url, platform.token, 'PUT', `/apps/${APP}/buildpack-installations`, { updates: [] })).status, 200);
    assert.equal((await api(platform.url, platform.token, 'PATCH', `/apps/${APP}/config-vars`, { WAIT_FOR: null })).status, 200);
  });

  test('scale web 1→3 from Resources and see three web dynos up', async () => {
    await tab('Resources');
    const quantity = page.getByLabel('web quantity');
    await quantity.waitFor();
    await page.locator('.dyno[data-dyno="web.1"][data-state="up"]').waitFor({ timeout: 120_000 });
    await quantity.fill('3');
    await quantity.press('Enter');
    for (const n of [1, 2, 3]) await page.locator(`.dyno[data-dyno="web.${n}"][data-state="up"]`).waitFor({ timeout: 120_000 });
    const formation = await api<{ type: string; quantity: number }[]>(platform.url, platform.token, 'GET', `/apps/${APP}/formation`);
    assert.equal(formation.body.find((f) => f.type === 'web')?.quantity, 3);
    await screenshot('resources');
    await checkA11y('resources');
    const dynoUpdated = async (name: string) => (await api<{ name: string; updated_at: string }[]>(platform.url, platform.token, 'GET', `/apps/${APP}/dynos`)).body.find((d) => d.name === name)?.updated_at;
    const before = await dynoUpdated('web.2');
    await page.getByRole('button', { name: 'Restart web.2' }).click();
    await waitFor('web.2 restarted', async () => {
      const at = await dynoUpdated('web.2');
      return at && before && at > before ? true : undefined;
    }, 60_000);
    await page.locator('.dyno[data-dyno="web.2"][data-state="up"]').waitFor({ timeout: 60_000 });
    await quantity.fill('-1');
    await quantity.press('Enter');
    await page.locator('#formation-web-error .error').getByText(/must not be negative/).waitFor();
  });

  test('autoscaling from Resources: an invalid policy shows the API\'s error beside its field; a valid one is in the API and bounds manual scaling', async () => {
    type Monitor = { id: string; process_type: string; is_active: boolean; min_quantity: number; max_quantity: number; value: number; queue_time_ms: number | null };
    const monitors = async () => (await api<Monitor[]>(platform.url, platform.token, 'GET', `/apps/${APP}/monitors`)).body;
    const form = page.locator('form.autoscale[data-type="web"]');
    await form.waitFor();
    await page.getByTestId('autoscale-web-policy').getByText('Off: no policy yet.').waitFor();
    await form.getByLabel('Autoscale web').check();
    await form.getByLabel('Min dynos').fill('5');
    await form.getByLabel('Max dynos').fill('2');
    await form.getByRole('button', { name: 'Save autoscaling for web' }).click();
    // The monitors API's 422 (min above max), beside the Min field; nothing was created.
    await page.locator('#autoscale-web-min_quantity-error .error').getByText('min_quantity (5) must not be above max_quantity (2).', { exact: false }).waitFor();
    assert.deepEqual(await monitors(), []);
    await checkA11y('resources with an autoscaling error');
    // Min 0 (scale to zero) without an idle time: the idle field appears, and the API's 422 is beside it.
    await form.getByLabel('Min dynos').fill('0');
    await form.getByRole('button', { name: 'Save autoscaling for web' }).click();
    await page.locator('#autoscale-web-idle_ms-error .error').getByText('give idle_ms', { exact: false }).waitFor();
    assert.equal(await page.locator('#autoscale-web-min_quantity-error .error').count(), 0);
    assert.deepEqual(await monitors(), []);

    await form.getByLabel('Min dynos').fill('1');
    await form.getByLabel('Idle before zero (s)').waitFor({ state: 'detached' });
    await form.getByLabel('Max dynos').fill('3');
    await form.getByLabel('p95 target (ms)').fill('2000');
    await form.getByLabel('Queue time target (ms)').fill('150');
    await form.getByRole('button', { name: 'Save autoscaling for web' }).click();
    await page.getByTestId('autoscale-web-policy').getByText('On: min 1, max 3, p95 2000 ms, queue 150 ms.').waitFor();
    const [m] = await monitors();
    assert.equal(m?.process_type, 'web');
    assert.deepEqual({ active: m.is_active, min: m.min_quantity, max: m.max_quantity, p95: m.value, queue: m.queue_time_ms }, { active: true, min: 1, max: 3, p95: 2000, queue: 150 });
    assert.equal(await page.locator('#autoscale-web-error .error, form.autoscale .error').count(), 0, 'the error went away');

    // Manual scaling outside [min, max] is refused by the API; its message shows beside the quantity.
    const quantity = page.getByLabel('web quantity');
    await quantity.fill('5');
    await quantity.press('Enter');
    await page.locator('#formation-web-error .error').getByText('Autoscaling is on for web (min 1, max 3)', { exact: false }).waitFor();
    const formation = await api<{ type: string; quantity: number }[]>(platform.url, platform.token, 'GET', `/apps/${APP}/formation`);
    assert.equal(formation.body.find((f) => f.type === 'web')?.quantity, 3, 'the refused scale changed nothing');
    await form.scrollIntoViewIfNeeded();
    await screenshot('resources-autoscaling');
    await checkA11y('resources with autoscaling on');

    // Disable it again (the later tests scale by hand and expect web to stay as they left it).
    await form.getByLabel('Autoscale web').uncheck();
    await form.getByRole('button', { name: 'Save autoscaling for web' }).click();
    await page.getByTestId('autoscale-web-policy').getByText('Off: min 1, max 3, p95 2000 ms, queue 150 ms.').waitFor();
    assert.equal((await monitors())[0]?.is_active, false);
  });

  test('a config var (shown as text) makes a release; rolling back removes it', async () => {
    await tab('Settings');
    await page.getByLabel('Key', { exact: true }).fill('XSS_PROBE');
    await page.getByLabel('Value', { exact: true }).fill(XSS);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('1 config var hidden.').or(page.getByText(/config vars hidden/)).waitFor();
    await page.getByRole('button', { name: 'Reveal config vars' }).click();
    const cell = page.locator('tr[data-key="XSS_PROBE"] td.value');
    await cell.waitFor();
    assert.equal(await cell.textContent(), XSS);
    assert.equal(await page.locator('img').count(), 0, 'no <img> element was made from the value');
    await screenshot('settings');
    await checkA11y('settings');

    await tab('Activity');
    const setRelease = page.locator('.release').filter({ hasText: 'XSS_PROBE' }).first();
    await setRelease.waitFor();
    const version = Number(await setRelease.getAttribute('data-version'));
    await page.getByRole('button', { name: `Roll back to v${version - 1}` }).click();
    await page.locator(`.release[data-version="${version + 1}"]`).getByText(`Rollback to v${version - 1}`).waitFor();
    await screenshot('activity');
    const vars = await api<Record<string, string>>(platform.url, platform.token, 'GET', `/apps/${APP}/config-vars`);
    assert.equal(vars.body.XSS_PROBE, undefined, 'the rollback restored the config before the var');
  });

  test('metrics: the charts show the traffic the test sent, refreshed live', async (t) => {
    const names = await api(platform.url, platform.token, 'GET', `/apps/${APP}/metrics`);
    hasMetricsApi = names.status === 200;
    await tab('Metrics');
    if (!hasMetricsApi) {
      // Explicit skip: the metrics API (docs/metrics.md, issue 11) is another part of the platform;
      // without it the tab says so, and there is nothing to chart.
      await page.getByText('This platform has no metrics API.').waitFor();
      t.skip('this platform has no metrics API');
      return;
    }
    await page.getByRole('heading', { name: 'Metrics' }).waitFor();
    const N = 25;
    for (let i = 0; i < N; i++) assert.equal(await routerGet(`/metrics-probe-${i}`), 200);
    const summary = page.getByTestId('throughput-summary');
    await waitFor(`${N} requests on the throughput chart`, async () => {
      const m = /^(\d+) requests/.exec((await summary.textContent()) ?? '');
      return m && Number(m[1]) >= N ? true : undefined;
    }, 60_000);
    assert.match((await page.getByTestId('response-time-summary').textContent()) ?? '', /p95 \d/);
    // Dyno memory of the running web dynos (sampled through the RuntimeDriver every 5 s, stored per
    // 10 s): the chart's summary counts the samples, and grows live (the memory stream) without a reload.
    const memory = page.getByTestId('memory-summary');
    const samples = async () => Number(/^web: (\d+) samples/.exec((await memory.textContent()) ?? '')?.[1] ?? 0);
    let first = 0;
    await waitFor('memory samples of web on the chart', async () => ((first = await samples()) > 0 ? true : undefined), 60_000);
    assert.match((await memory.textContent()) ?? '', /latest mean \d+(\.\d)? MB, max \d+(\.\d)? MB of \d+ MB/);
    assert.match((await page.getByTestId('load-summary').textContent()) ?? '', /^web: latest mean \d/);
    const stored = await api<{ points: { samples: number; max_mb: number | null }[] }>(platform.url, platform.token, 'GET', `/apps/${APP}/metrics/memory?process_type=web&step=10s`);
    assert.ok(stored.body.points.some((p) => p.samples > 0 && (p.max_mb ?? 0) > 1), 'the API holds the memory the chart draws');
    await waitFor('new memory samples shown live', async () => (await samples() > first ? true : undefined), 60_000);
    assert.equal(await page.locator('figure.chart canvas').count() >= 6, true, 'uPlot drew six charts');
    assert.equal(await page.getByText(/not collected/).count(), 0);
    await page.locator('figure[data-chart="memory"]').scrollIntoViewIfNeeded();
    await screenshot('metrics-dynos');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot('metrics');
    await checkA11y('metrics');
    for (const r of ['24h', '7d']) {
      await page.getByRole('button', { name: r }).click();
      await page.locator(`.ranges button[aria-pressed="true"]`).getByText(r).waitFor();
      await waitFor(`${r}: the requests still counted`, async () => {
        const m = /^(\d+) requests/.exec((await summary.textContent()) ?? '');
        return m && Number(m[1]) >= N ? true : undefined;
      }, 30_000);
    }
  });

  test('live logs: a freshly printed line shows up, rendered as text; router errors are highlighted', async () => {
    await tab('Logs');
    await page.getByText('live', { exact: true }).waitFor({ timeout: 30_000 });
    const tag = `fresh-${Date.now()}`;
    const sent = Date.now();
    assert.equal(await routerGet(`/burst?n=1&tag=${tag}`), 200);
    await page.locator('.logs .line').filter({ hasText: `${tag} 0` }).waitFor({ timeout: 10_000 });
    const delay = Date.now() - sent;
    process.stdout.write(`# dashboard live log delay: ${delay} ms from the request to the line on the page\n`);
    assert.equal(await routerGet(`/burst?n=1&tag=${encodeURIComponent(XSS)}`), 200);
    const xssLine = page.locator('.logs .line .text').filter({ hasText: `${XSS} 0` });
    await xssLine.waitFor({ timeout: 10_000 });
    assert.equal(await xssLine.textContent(), `${XSS} 0`);
    assert.equal(await page.locator('.logs img').count(), 0);
    // Pause holds new lines back; Resume shows them.
    await page.getByRole('button', { name: 'Pause' }).click();
    const held = `held-${Date.now()}`;
    assert.equal(await routerGet(`/burst?n=1&tag=${held}`), 200);
    await page.getByRole('button', { name: /Resume \([1-9]\d* new\)/ }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.logs .line').filter({ hasText: held }).count(), 0, 'not shown while paused');
    await page.getByRole('button', { name: /Resume/ }).click();
    await page.locator('.logs .line').filter({ hasText: `${held} 0` }).waitFor();
    // Filters go to the log session: source app, dyno web.1 → only app[web.1] lines.
    await page.getByLabel('Source').selectOption('app');
    await page.getByLabel('Dyno', { exact: true }).fill('web.1');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('live', { exact: true }).waitFor({ timeout: 30_000 });
    await page.locator('.logs .line').first().waitFor();
    const sources = await page.locator('.logs .line .src').allTextContents();
    assert.ok(sources.length > 0 && sources.every((src) => src === 'app[web.1]'), `filtered: ${[...new Set(sources)].join(', ')}`);
    await page.getByLabel('Source').selectOption('');
    await page.getByLabel('Dyno', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('.logs .line .src').filter({ hasText: 'heroku[router]' }).first().waitFor({ timeout: 30_000 });
    // No web dynos → H14 on the router's line, highlighted.
    assert.equal((await api(platform.url, platform.token, 'PATCH', `/apps/${APP}/formation/web`, { quantity: 0 })).status, 200);
    const h14 = page.locator('.logs .line.router-error').filter({ hasText: 'code=H14' });
    await waitFor('an H14 router line, highlighted', async () => {
      await routerGet('/');
      return (await h14.count()) > 0 ? true : undefined;
    }, 60_000);
    await page.getByLabel('Search').fill('H14');
    assert.equal(await page.locator('.logs .line').filter({ hasNotText: 'H14' }).count(), 0, 'search keeps only matching lines');
    await page.getByLabel('Search').fill('');
    await screenshot('logs');
    await checkA11y('logs');
    assert.deepEqual(dialogs, [], 'no script from app values ran');
  });

  test('settings: maintenance, a domain, a collaborator, rename, and delete with typed confirmation', async () => {
    assert.equal((await api(platform.url, platform.token, 'POST', '/apps', { name: 'dash-second' })).status, 201);
    assert.equal((await api(platform.url, platform.token, 'POST', '/users', { email: 'friend@example.com' })).status, 201);
    await page.goto(`${platform.url}/dashboard/apps/dash-second/settings`);
    await page.getByRole('heading', { name: 'Maintenance mode' }).waitFor();
    await page.getByRole('button', { name: 'Turn maintenance on' }).click();
    await page.getByRole('button', { name: 'Turn maintenance off' }).waitFor();
    assert.equal((await api<{ maintenance: boolean }>(platform.url, platform.token, 'GET', '/apps/dash-second')).body.maintenance, true);

    await page.getByLabel('Buildpack', { exact: true }).fill('not a buildpack');
    await page.getByRole('button', { name: 'Add buildpack' }).click();
    await page.getByRole('form', { name: 'Add buildpack' }).getByText(/Unknown buildpack/).waitFor();
    await page.getByLabel('Buildpack', { exact: true }).fill('heroku/nodejs');
    await page.getByRole('button', { name: 'Add buildpack' }).click();
    await page.getByRole('button', { name: 'Remove buildpack heroku/nodejs' }).waitFor();
    const bps = await api<{ buildpack: { url: string } }[]>(platform.url, platform.token, 'GET', '/apps/dash-second/buildpack-installations');
    assert.deepEqual(bps.body.map((b) => b.buildpack.url), ['heroku/nodejs']);

    await page.getByLabel('Custom domain').fill('www.dash-second.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('button', { name: 'Remove www.dash-second.test' }).click();
    await page.getByRole('button', { name: 'Remove www.dash-second.test' }).waitFor({ state: 'detached' });

    const collab = page.getByRole('form', { name: 'Add collaborator' });
    await page.getByLabel('Email', { exact: true }).fill('nobody@example.com');
    await page.getByRole('button', { name: 'Add collaborator' }).click();
    await collab.locator('.error').waitFor();
    await page.getByLabel('Email', { exact: true }).fill('friend@example.com');
    await page.getByRole('button', { name: 'Add collaborator' }).click();
    await page.getByRole('button', { name: 'Remove friend@example.com' }).waitFor();
    await checkA11y('settings (maintenance on)');

    await page.getByLabel('New name').fill('dash-renamed');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.waitForURL(/\/dashboard\/apps\/dash-renamed\/settings$/);
    const del = page.getByRole('button', { name: 'Delete app' });
    assert.equal(await del.isDisabled(), true, 'delete waits for the typed name');
    await page.getByLabel('Type dash-renamed to confirm').fill('dash-renamed');
    await del.click();
    await page.waitForURL(/\/dashboard\/apps$/);
    assert.equal((await api(platform.url, platform.token, 'GET', '/apps/dash-renamed')).status, 404);
  });

  test('the apps list at 360 px wide, the users page, and the account page regenerating the API token', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.getByRole('link', { name: 'Apps', exact: true }).click();
    await page.getByRole('link', { name: APP }).waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.ok(overflow <= 0, `no horizontal scrolling at 360 px (${overflow} px over)`);
    if (hasMetricsApi) await page.getByRole('img', { name: `${APP} p95 response time over the last hour` }).waitFor();
    await screenshot('apps-360px');
    await checkA11y('apps (360 px)');
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot('apps');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByRole('cell', { name: EMAIL }).waitFor().catch(async (err) => {
      process.stdout.write(`# DEBUG users page: ${JSON.stringify(await page.locator('main').innerText())}\n`);
      throw err;
    });
    await checkA11y('users');
    const session = (await browser.context.cookies()).find((c) => c.name === 'slipway_session');
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    await checkA11y('account');
    await page.getByRole('button', { name: 'Regenerate API token' }).click();
    const token = ((await page.getByTestId('new-token').textContent()) ?? '').trim();
    assert.match(token, /^slw_/);
    await screenshot('account');
    const me = await api<{ email: string }>(platform.url, token, 'GET', '/account');
    assert.equal(me.body.email, EMAIL, 'the regenerated token works');
    assert.equal((await api(platform.url, platform.token, 'GET', '/account')).status, 401, 'the old token no longer does');
    assert.deepEqual(cspViolations, [], 'nothing on any page needed more than the CSP allows');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const cookie = `slipway_session=${session?.value}`;
    const after = await fetch(`${platform.url}/account`, { headers: { Cookie: cookie, Accept: 'application/vnd.heroku+json; version=3' } });
    assert.equal(after.status, 401, 'the session ended at sign-out');
  });
});
