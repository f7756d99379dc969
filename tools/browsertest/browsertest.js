#!/usr/bin/env node
// Real-browser test of a notebook: starts the classic Jupyter Notebook server on 127.0.0.1 with a
// token on a free port, opens the notebook in Chromium (playwright-core driving the system
// browser), runs all cells, and checks what a student would see:
//   - every figure is a visible, non-blank <img> (natural size > 0);
//   - moving a FrameSlider (flowlib/plots: precomputed frames, a plain range input) changes the
//     visible image;
//   - moving a live control (plots.InteractSlider: a range input whose value goes to Go through
//     GoNB's websocket) changes the figure that Go recomputes;
//   - no cell printed a Go panic or a compile error.
// Screenshots go to the output folder. Exits non-zero on any failure; always stops the server.
//
// Usage: node tools/browsertest/browsertest.js [--out DIR] [--keep] [notebooks/00-plots-demo.ipynb]
// Environment: FLOWS_JUPYTER (jupyter command), FLOWS_CHROMIUM (browser binary).
//
// The notebook runs from a copy in a temp folder (with go.mod, go.sum and flowlib linked to this
// checkout), so the server's autosave and checkpoints never touch the repository.
'use strict';

const { chromium } = require('playwright-core');
const { spawn, execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');

function parseArgs(argv) {
  const a = { out: '', keep: false, notebook: path.join(REPO, 'notebooks', '00-plots-demo.ipynb'), waitFiles: 0 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') a.out = argv[++i];
    else if (argv[i] === '--keep') a.keep = true;
    else if (argv[i] === '--wait-files') a.waitFiles = Number(argv[++i]);
    else if (argv[i] === '-h' || argv[i] === '--help') {
      console.log('usage: browsertest.js [--out DIR] [--keep] [--wait-files SECONDS] [notebook.ipynb]');
      process.exit(0);
    } else a.notebook = path.resolve(argv[i]);
  }
  return a;
}

const log = (...m) => console.log('browsertest:', ...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function findJupyter() {
  if (process.env.FLOWS_JUPYTER) return process.env.FLOWS_JUPYTER;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const p = path.join(dir, 'jupyter');
    if (dir && fs.existsSync(p)) return p;
  }
  const data = process.env.JUPYTER_DATA_DIR || path.join(os.homedir(), '.local', 'share', 'jupyter');
  const venv = process.env.FLOWS_JUPYTER_VENV || path.join(data, 'flows-venv');
  const p = path.join(venv, 'bin', 'jupyter');
  if (fs.existsSync(p)) return p;
  throw new Error('jupyter not found: run kernel-setup/setup.sh');
}

function findChromium() {
  const c = [process.env.FLOWS_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'];
  for (const p of c) if (p && fs.existsSync(p)) return p;
  throw new Error('no Chromium found: run kernel-setup/setup.sh --with-browser, or set FLOWS_CHROMIUM');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function httpGet(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.setTimeout(3000, () => req.destroy(new Error('timeout')));
  });
}

function httpDelete(url) {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'DELETE' }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', resolve);
    req.setTimeout(5000, () => req.destroy());
    req.end();
  });
}

// A folder that looks like the repository to the notebook's first cell (${GONB_DIR}/..), holding
// a copy of the notebook: the server may save and checkpoint it there freely.
function makeWorkspace(notebook) {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'flows-browsertest-'));
  for (const f of ['go.mod', 'go.sum', 'flowlib']) fs.symlinkSync(path.join(REPO, f), path.join(ws, f));
  fs.mkdirSync(path.join(ws, 'notebooks'));
  fs.copyFileSync(notebook, path.join(ws, 'notebooks', path.basename(notebook)));
  return ws;
}

async function startServer(jupyter, root, port, token, logPath) {
  const version = execFileSync(jupyter, ['notebook', '--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('6.')) {
    throw new Error(`this test drives the classic Notebook 6.x UI; found notebook ${version}`);
  }
  const args = ['notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--NotebookApp.port_retries=0',
    `--notebook-dir=${root}`];
  if (process.getuid && process.getuid() === 0) args.push('--allow-root');
  const env = { ...process.env };
  delete env.FLOWLIB_HEADLESS; // The live controls must be live here.
  env.JUPYTER_TOKEN = token; // Not on the command line, where ps shows it.
  const out = fs.openSync(logPath, 'w');
  const proc = spawn(jupyter, args, { env, cwd: root, detached: true, stdio: ['ignore', out, out] });
  let exited = null;
  proc.on('exit', (code) => (exited = code));
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`notebook server exited with ${exited}; see ${logPath}`);
    try {
      const r = await httpGet(`http://127.0.0.1:${port}/api/status?token=${token}`);
      if (r.status === 200) return proc;
    } catch (e) { /* not up yet */ }
    await sleep(200);
  }
  throw new Error(`notebook server did not answer within 60 s; see ${logPath}`);
}

async function stopServer(proc, port, token) {
  if (!proc || proc.exitCode !== null) return;
  // Kernels run in their own sessions: shut them down through the API before the server.
  try {
    const r = await httpGet(`http://127.0.0.1:${port}/api/kernels?token=${token}`);
    for (const k of JSON.parse(r.body)) await httpDelete(`http://127.0.0.1:${port}/api/kernels/${k.id}?token=${token}`);
  } catch (e) { /* server already gone */ }
  const gone = new Promise((r) => proc.once('exit', r));
  try { process.kill(-proc.pid, 'SIGTERM'); } catch (e) { return; }
  const t = setTimeout(() => { try { process.kill(-proc.pid, 'SIGKILL'); } catch (e) { /* gone */ } }, 10000);
  await gone;
  clearTimeout(t);
}

// The visible figure images of the page: outputs' <img> elements that are displayed.
async function figureReport(page) {
  return page.evaluate(() => {
    const imgs = Array.from(document.querySelectorAll('.output_area img'));
    return imgs.filter((im) => im.offsetParent !== null).map((im) => ({
      w: im.naturalWidth, h: im.naturalHeight, complete: im.complete, src: (im.getAttribute('src') || '').slice(0, 40),
    }));
  });
}

// A short fingerprint of an image's pixels' source (the data: URL).
const T0 = Date.now();
const elapsed = () => `${((Date.now() - T0) / 1000).toFixed(1)} s`;
const srcHash = (s) => crypto.createHash('sha1').update(s || '').digest('hex').slice(0, 12);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const outDir = args.out || fs.mkdtempSync(path.join(os.tmpdir(), 'flows-browsertest-out-'));
  fs.mkdirSync(outDir, { recursive: true });

  // The plots demo is written alongside this test: wait for it if asked to.
  const deadline = Date.now() + args.waitFiles * 1000;
  while (!fs.existsSync(args.notebook) && Date.now() < deadline) await sleep(2000);
  if (!fs.existsSync(args.notebook)) throw new Error(`notebook not found: ${args.notebook}`);

  const jupyter = findJupyter();
  const browserPath = findChromium();
  const ws = makeWorkspace(args.notebook);
  const port = await freePort();
  const token = crypto.randomBytes(24).toString('hex');
  const nbName = path.basename(args.notebook);
  log(`notebook ${nbName}; server 127.0.0.1:${port}; screenshots and logs in ${outDir}`);

  let server = null;
  let browser = null;
  const failures = [];
  const fail = (m) => { failures.push(m); log('FAIL:', m); };
  try {
    server = await startServer(jupyter, path.join(ws, 'notebooks'), port, token, path.join(outDir, 'server.log'));
    log(`server up at ${elapsed()}`);
    browser = await chromium.launch({
      executablePath: browserPath,
      headless: true,
      // Without the background-networking flags Chromium keeps dialing out on this closed network.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));

    await page.goto(`http://127.0.0.1:${port}/notebooks/${encodeURIComponent(nbName)}?token=${token}`);
    await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel &&
      Jupyter.notebook.kernel.is_connected(), null, { timeout: 60000 });
    log(`kernel connected at ${elapsed()}; running all cells`);
    await page.evaluate(() => { Jupyter.notebook.set_autosave_interval(0); Jupyter.notebook.execute_all_cells(); });

    // FrameSlider: precomputed frames in the figure; moving the range input swaps the visible one.
    const frameRange = page.locator('.flowlib-slider input[type=range]').first();
    await frameRange.waitFor({ state: 'visible', timeout: 180000 });
    const visibleFrame = () => page.evaluate(() => {
      const root = document.querySelector('.flowlib-slider');
      const vis = Array.from(root.querySelectorAll('.flowlib-frame')).filter((f) => f.style.display !== 'none');
      const img = vis.length === 1 ? vis[0].querySelector('img') : null;
      return { n: vis.length, label: vis.length ? vis[0].getAttribute('data-label') : '',
        src: img ? img.getAttribute('src') : '', w: img ? img.naturalWidth : 0 };
    });
    const f0 = await visibleFrame();
    await frameRange.scrollIntoViewIfNeeded();
    await page.locator('.flowlib-slider').first().screenshot({ path: path.join(outDir, 'frameslider-before.png') });
    await frameRange.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    const f1 = await visibleFrame();
    await page.locator('.flowlib-slider').first().screenshot({ path: path.join(outDir, 'frameslider-after.png') });
    if (f0.n !== 1 || f1.n !== 1) fail(`FrameSlider should show exactly one frame, showed ${f0.n} then ${f1.n}`);
    else if (f0.w <= 0 || f1.w <= 0) fail('FrameSlider frame image is blank (naturalWidth 0)');
    else if (f0.src === f1.src) fail(`FrameSlider: the image did not change after moving the slider (${f0.label} → ${f1.label})`);
    else log(`FrameSlider ok: "${f0.label}" (${srcHash(f0.src)}) → "${f1.label}" (${srcHash(f1.src)}) at ${elapsed()}`);

    // Live control: the range input talks to Go; Go re-renders the figure in the same cell.
    const live = page.locator('input[type=range][id^="flowlib-live-"]').first();
    await live.waitFor({ state: 'visible', timeout: 180000 });
    const liveFigure = () => page.evaluate(() => {
      const el = document.querySelector('input[type=range][id^="flowlib-live-"]');
      const cell = el && el.closest('.cell');
      const img = cell && cell.querySelector('.output_area img');
      return { src: img ? img.getAttribute('src') : '', w: img ? img.naturalWidth : 0, value: el ? el.value : '' };
    });
    await page.waitForFunction(() => {
      const el = document.querySelector('input[type=range][id^="flowlib-live-"]');
      const img = el && el.closest('.cell').querySelector('.output_area img');
      return img && img.complete && img.naturalWidth > 0;
    }, null, { timeout: 60000 });
    const l0 = await liveFigure();
    await live.scrollIntoViewIfNeeded();
    const liveCell = page.locator('.cell', { has: live });
    await liveCell.screenshot({ path: path.join(outDir, 'live-before.png') });
    // One step at a time: each must come back from Go as a new figure (two round trips).
    const liveChanged = (before) => page.waitForFunction((b) => {
      const el = document.querySelector('input[type=range][id^="flowlib-live-"]');
      const img = el && el.closest('.cell').querySelector('.output_area img');
      return img && img.getAttribute('src') !== b && img.complete && img.naturalWidth > 0;
    }, before, { timeout: 30000 });
    let prev = l0;
    for (let step = 1; step <= 2 && failures.length === 0; step++) {
      await live.focus();
      await page.keyboard.press('ArrowRight');
      try {
        await liveChanged(prev.src);
        const next = await liveFigure();
        log(`live control ok: value ${prev.value} → ${next.value}, Go re-rendered the figure (${srcHash(prev.src)} → ${srcHash(next.src)}) at ${elapsed()}`);
        prev = next;
      } catch (e) {
        fail(`live control: the Go-side figure did not change within 30 s of moving the slider to ${(await liveFigure()).value}`);
      }
    }
    await liveCell.screenshot({ path: path.join(outDir, 'live-after.png') });

    // Done lets the cell finish; then the rest of the notebook runs.
    await page.locator('button[id^="flowlib-live-"][id$="-done"]').first().click();
    await page.waitForFunction(() => Jupyter.notebook.get_cells().every((c) =>
      c.cell_type !== 'code' || !c.element[0].classList.contains('running')) &&
      Jupyter.notebook.kernel_busy === false, null, { timeout: 300000, polling: 500 })
      .catch(() => fail('the notebook did not finish running within 5 minutes after Done'));

    const figs = await figureReport(page);
    const blank = figs.filter((f) => !(f.w > 0 && f.h > 0));
    if (figs.length === 0) fail('no figure images in the outputs');
    else if (blank.length > 0) fail(`${blank.length} of ${figs.length} figure images are blank: ${JSON.stringify(blank.slice(0, 3))}`);
    else log(`${figs.length} visible figure images, all with natural size > 0 (notebook finished at ${elapsed()})`);

    const errs = await page.evaluate(() => Array.from(document.querySelectorAll('.output_area'))
      .map((o) => o.innerText).filter((t) => /^panic: |^exit status [1-9]|gonb-err|undefined: |cannot use /m.test(t))
      .map((t) => t.slice(0, 200)));
    if (errs.length) fail(`cells show errors: ${JSON.stringify(errs)}`);
    if (consoleErrors.length) log(`browser console errors (not failing the test): ${consoleErrors.slice(0, 5).join(' | ')}`);

    await page.screenshot({ path: path.join(outDir, 'notebook-full.png'), fullPage: true });
  } catch (e) {
    fail(e && e.message ? e.message : String(e));
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopServer(server, port, token);
    if (!args.keep) fs.rmSync(ws, { recursive: true, force: true });
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (failures.length) {
    log(`FAILED in ${secs} s (${failures.length} failure(s)); screenshots and server log in ${outDir}`);
    process.exit(1);
  }
  log(`passed in ${secs} s; screenshots in ${outDir}`);
}

main().catch((e) => { console.error('browsertest:', e); process.exit(2); });
