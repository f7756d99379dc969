#!/usr/bin/env node
// Real-browser test of the notebooks in JupyterLab: starts JupyterLab on 127.0.0.1 with a token on
// a free port, and for each notebook (default: every notebooks/*.ipynb, the plots demo and the six
// chapters) opens it in Chromium (playwright-core driving the system browser), runs Run → Run All
// Cells from JupyterLab's menu, waits until every code cell has run and the kernel is idle, and
// checks what a student would see:
//   - every figure (<img>, <svg> in the outputs) is visible, has a non-zero size and is not a
//     single colour;
//   - no cell shows an error: an error output, or stderr/HTML with a Go panic, "exit status N",
//     a fatal error or a compile error;
//   - every frame slider (plots.FrameSlider: precomputed frames, a plain range input) changes its
//     figure when moved;
//   - every live control (plots.InteractSlider/InteractSelect) ended itself during Run All with a
//     visible note (it must not hold Run All up), except one in the last code cell, which nothing
//     waits behind and which stays live; then, run again on its own (or still live), it
//     re-renders its figure in Go when moved, and Done ends it;
//   - a training view (plots.TrainingView) updated in place while its cell ran, and left one final
//     figure (required in chapter 5, reported elsewhere);
//   - the page requested nothing from any host but 127.0.0.1, and our code (flowlib's scripts,
//     GoNB's gonb_comm) logged no console error.
// It prints one line per notebook, "browsertest: RUN-ALL <notebook> <seconds> s", and a summary.
// Screenshots go to the output folder. Exits non-zero on any failure; always stops the server.
//
// Usage: node tools/browsertest/browsertest.js [--out DIR] [--keep] [notebook.ipynb ...]
// Environment: FLOWS_JUPYTER (jupyter command), FLOWS_CHROMIUM (browser binary).
//
// The notebooks run from copies in a temp folder (with go.mod, go.sum and flowlib linked to this
// checkout), so JupyterLab's autosave and checkpoints never touch the repository. JupyterLab's
// settings and workspaces start empty there too.
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
  const a = { out: '', keep: false, notebooks: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') a.out = argv[++i];
    else if (argv[i] === '--keep') a.keep = true;
    else if (argv[i] === '-h' || argv[i] === '--help') {
      console.log('usage: browsertest.js [--out DIR] [--keep] [notebook.ipynb ...]  (default: notebooks/*.ipynb)');
      process.exit(0);
    } else a.notebooks.push(path.resolve(argv[i]));
  }
  if (a.notebooks.length === 0) {
    const dir = path.join(REPO, 'notebooks');
    a.notebooks = fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort().map((f) => path.join(dir, f));
  }
  return a;
}

const log = (...m) => console.log('browsertest:', ...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const T0 = Date.now();
const elapsed = () => `${((Date.now() - T0) / 1000).toFixed(1)} s`;
const hash = (s) => crypto.createHash('sha1').update(s || '').digest('hex').slice(0, 12);

function findJupyter() {
  if (process.env.FLOWS_JUPYTER) return process.env.FLOWS_JUPYTER;
  // The same order as kernel-setup/lib.sh: the venv setup.sh made, then a jupyter on PATH.
  const data = process.env.JUPYTER_DATA_DIR || path.join(os.homedir(), '.local', 'share', 'jupyter');
  const venv = process.env.FLOWS_JUPYTER_VENV || path.join(data, 'flows-venv');
  const p = path.join(venv, 'bin', 'jupyter');
  if (fs.existsSync(p)) return p;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const q = path.join(dir, 'jupyter');
    if (dir && fs.existsSync(q)) return q;
  }
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

function httpRequest(url, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

// The notebook's declared headless budget (tools/nbrun reads the same metadata), for the log line.
function budgetOf(notebook) {
  try {
    return JSON.parse(fs.readFileSync(notebook, 'utf8')).metadata.flowlib.timeout_seconds || 0;
  } catch (e) { return 0; }
}

// A folder that looks like the repository to the notebooks' first cell (${GONB_DIR}/..), holding
// copies of the notebooks: the server may save and checkpoint them there freely.
function makeWorkspace(notebooks) {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'flows-browsertest-'));
  for (const f of ['go.mod', 'go.sum', 'flowlib']) fs.symlinkSync(path.join(REPO, f), path.join(ws, f));
  fs.mkdirSync(path.join(ws, 'notebooks'));
  for (const nb of notebooks) fs.copyFileSync(nb, path.join(ws, 'notebooks', path.basename(nb)));
  for (const d of ['config', 'runtime', 'settings', 'workspaces']) fs.mkdirSync(path.join(ws, 'jupyter', d), { recursive: true });
  return ws;
}

async function startServer(jupyter, ws, port, token, logPath) {
  const version = execFileSync(jupyter, ['lab', '--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('4.')) throw new Error(`this test drives JupyterLab 4; found JupyterLab ${version}`);
  const j = (d) => path.join(ws, 'jupyter', d);
  const args = ['lab', '--no-browser', '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=0', `--ServerApp.root_dir=${path.join(ws, 'notebooks')}`,
    '--LabApp.news_url=None', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
    `--LabApp.user_settings_dir=${j('settings')}`, `--LabApp.workspaces_dir=${j('workspaces')}`,
    // The test reads the notebook's state (cells, outputs, kernel status) from JupyterLab's own
    // objects rather than from CSS classes; it still drives the notebook through the menu.
    '--LabApp.expose_app_in_browser=True'];
  if (process.getuid && process.getuid() === 0) args.push('--allow-root');
  const env = { ...process.env };
  delete env.FLOWLIB_HEADLESS; // The live controls must be live here.
  env.JUPYTER_TOKEN = token; // Not on the command line, where ps shows it.
  env.JUPYTER_CONFIG_DIR = j('config'); // No user configuration; the kernel spec stays where setup put it.
  env.JUPYTER_RUNTIME_DIR = j('runtime');
  const out = fs.openSync(logPath, 'w');
  const proc = spawn(jupyter, args, { env, cwd: ws, detached: true, stdio: ['ignore', out, out] });
  let exited = null;
  proc.on('exit', (code) => (exited = code));
  const deadline = Date.now() + 90000;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`JupyterLab exited with ${exited}; see ${logPath}`);
    try {
      const r = await httpRequest(`http://127.0.0.1:${port}/api/status?token=${token}`);
      if (r.status === 200) return { proc, version };
    } catch (e) { /* not up yet */ }
    await sleep(250);
  }
  throw new Error(`JupyterLab did not answer within 90 s; see ${logPath}`);
}

async function shutdownKernels(port, token) {
  try {
    const r = await httpRequest(`http://127.0.0.1:${port}/api/sessions?token=${token}`);
    for (const s of JSON.parse(r.body)) await httpRequest(`http://127.0.0.1:${port}/api/sessions/${s.id}?token=${token}`, 'DELETE');
    const k = await httpRequest(`http://127.0.0.1:${port}/api/kernels?token=${token}`);
    for (const x of JSON.parse(k.body)) await httpRequest(`http://127.0.0.1:${port}/api/kernels/${x.id}?token=${token}`, 'DELETE');
  } catch (e) { /* server gone */ }
}

async function stopServer(proc, port, token) {
  if (!proc || proc.exitCode !== null) return;
  await shutdownKernels(port, token); // Kernels run in their own sessions: stop them first.
  const gone = new Promise((r) => proc.once('exit', r));
  try { process.kill(-proc.pid, 'SIGTERM'); } catch (e) { return; }
  const t = setTimeout(() => { try { process.kill(-proc.pid, 'SIGKILL'); } catch (e) { /* gone */ } }, 10000);
  await gone;
  clearTimeout(t);
}

// ----------------------------------------------------------------------------------------------
// In-page helpers. They find the open notebook through window.jupyterapp (expose_app_in_browser).

// The state of the open notebook: per code cell, whether it is queued/running, its execution
// count, and its outputs; and the kernel status.
// Outputs only when asked: they hold every figure as base64, too much to copy twice a second
// while the kernel needs the CPU.
function notebookState(withOutputs) {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.map((c, i) => {
    if (c.model.type !== 'code') return { i, code: false };
    const prompt = c.node.querySelector('.jp-InputPrompt');
    return {
      i, code: true, count: c.model.executionCount,
      waiting: !!prompt && prompt.textContent.indexOf('*') >= 0,
      live: !!c.node.querySelector('select[id^="flowlib-live-"]:not([disabled]), input[id^="flowlib-live-"]:not([disabled])'),
      outputs: withOutputs ? c.model.outputs.toJSON() : [],
    };
  });
  return { kernel: kernel ? kernel.status : 'none', cells, dirty: panel.context.model.dirty };
}

// Every figure in the outputs that a student can see (hidden frames of a frame slider are not),
// rasterised to check it is not blank or a single colour.
async function figureReport() {
  const panel = window.jupyterapp.shell.currentWidget;
  const out = [];
  const cells = panel.content.widgets;
  for (let ci = 0; ci < cells.length; ci++) {
    const figs = cells[ci].node.querySelectorAll('.jp-OutputArea-output img, .jp-OutputArea-output svg');
    for (const el of figs) {
      if (el.tagName.toLowerCase() === 'svg' && el.parentElement.closest('svg')) continue; // nested svg
      if (el.closest('.flowlib-frame') && el.closest('.flowlib-frame').style.display === 'none') continue;
      if (el.closest('.jp-toolbar, .jp-OutputPrompt, button')) continue; // icons, not figures
      let w = 0, h = 0, src = '';
      let img = el;
      if (el.tagName.toLowerCase() === 'img') {
        try { await el.decode(); } catch (e) { /* reported as size 0 below */ }
        w = el.naturalWidth; h = el.naturalHeight; src = el.getAttribute('src') || '';
      } else {
        const r = el.getBoundingClientRect();
        w = Math.round(r.width); h = Math.round(r.height);
        src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(el));
        img = new Image();
        img.src = src;
        try { await img.decode(); } catch (e) { img = null; }
      }
      // Colours: sample the rasterised figure on a grid and count distinct colours.
      let colours = 0;
      if (img && w > 0 && h > 0) {
        const cv = document.createElement('canvas');
        cv.width = Math.min(w, 400); cv.height = Math.min(h, 400);
        const g = cv.getContext('2d');
        g.drawImage(img, 0, 0, cv.width, cv.height);
        const d = g.getImageData(0, 0, cv.width, cv.height).data;
        const seen = new Set();
        for (let p = 0; p < d.length && seen.size < 50; p += 4 * 7) seen.add(`${d[p]},${d[p + 1]},${d[p + 2]},${d[p + 3]}`);
        colours = seen.size;
      }
      out.push({ cell: ci, tag: el.tagName.toLowerCase(), w, h, colours, hash: src.length + ':' + src.slice(-24) });
    }
  }
  return out;
}

// ----------------------------------------------------------------------------------------------

const ERROR_RE = /^panic: |^fatal error: |^goroutine \d+ \[|^exit status [1-9]|^signal: |undefined: |cannot use |^# command-line-arguments|gonb-err|GoNB error/m;

function errorsIn(state) {
  const errs = [];
  for (const c of state.cells) {
    if (!c.code) continue;
    for (const o of c.outputs) {
      let text = '';
      if (o.output_type === 'error') text = `${o.ename}: ${o.evalue}`;
      else if (o.output_type === 'stream' && o.name === 'stderr') text = [].concat(o.text).join('');
      else if (o.data && o.data['text/html']) text = [].concat(o.data['text/html']).join('');
      if (o.output_type === 'error' || ERROR_RE.test(text)) {
        const m = text.match(ERROR_RE);
        const at = m ? Math.max(0, text.indexOf(m[0]) - 40) : 0;
        errs.push(`cell ${c.i}: ${text.slice(at, at + 200).replace(/\s+/g, ' ')}`);
      }
    }
  }
  return errs;
}

// Progress lines of training views ("...: step 500/2000 (25%) · ..."), per cell.
function progressLines() {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content) return [];
  const re = /step (\d+)\/(\d+) \(\d+%\)/;
  const res = [];
  panel.content.widgets.forEach((c, i) => {
    c.node.querySelectorAll('.jp-OutputArea-output div').forEach((d) => {
      if (d.children.length === 0 && re.test(d.textContent)) {
        const m = d.textContent.match(re);
        res.push({ cell: i, step: Number(m[1]), total: Number(m[2]) });
      }
    });
  });
  return res;
}

// Waits until every code cell has run and the kernel is idle; with allowLive, a cell whose live
// control is still live counts as finished when no other cell is waiting (a live control ends
// only when another cell waits, so one in the last code cell stays live after Run All).
async function waitIdle(page, what, timeoutMs, onPoll, allowLive = false) {
  const deadline = Date.now() + timeoutMs;
  let st = null;
  let idleSince = 0;
  while (Date.now() < deadline) {
    st = await page.evaluate(notebookState, false);
    if (onPoll) await onPoll();
    const code = st ? st.cells.filter((c) => c.code) : [];
    const liveRunning = allowLive ? code.filter((c) => c.waiting && c.live) : [];
    const finished = (c) => !c.waiting && c.count !== null;
    const done = st && (st.kernel === 'idle' || liveRunning.length === 1) &&
      code.every((c) => finished(c) || (liveRunning.length === 1 && c === liveRunning[0]));
    if (done) {
      st.liveAtEnd = liveRunning.map((c) => c.i);
      if (!idleSince) idleSince = Date.now();
      if (Date.now() - idleSince > 1500) { // idle for 1.5 s: not between two cells
        const full = await page.evaluate(notebookState, true);
        full.liveAtEnd = st.liveAtEnd;
        return full;
      }
    } else idleSince = 0;
    await sleep(500);
  }
  const pending = st ? st.cells.filter((c) => c.code && (c.waiting || c.count === null)).map((c) => c.i) : [];
  throw new Error(`${what}: not finished within ${timeoutMs / 1000} s (kernel ${st ? st.kernel : '?'}, cells not run: ${pending.join(',')})`);
}

// Clicks a top menu item, then an entry of that menu, as a student does.
async function menu(page, top, item) {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: new RegExp(`^${top}$`) }).first().click();
  await page.locator('.lm-Menu-itemLabel', { hasText: new RegExp(`^${item}$`) }).first().click();
}

// ----------------------------------------------------------------------------------------------

async function testNotebook(ctx, nb, index) {
  const { browser, port, token, outDir, fail } = ctx;
  const name = path.basename(nb);
  const tag = name.replace(/\.ipynb$/, '');
  const shot = (p) => path.join(outDir, `${tag}-${p}.png`);
  const result = { name, runAll: NaN, figures: 0, frameSliders: 0, liveControls: 0, trainingViews: 0, failures: 0 };
  const nFail = ctx.failures.length;
  const f = (m) => fail(`${name}: ${m}`);

  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const consoleErrors = [];
  const offHost = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e && e.stack ? e.stack : e}`));
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1') return route.continue();
    offHost.push(route.request().url());
    return route.abort();
  });
  page.on('websocket', (ws) => { if (new URL(ws.url()).hostname !== '127.0.0.1') offHost.push(ws.url()); });

  try {
    // A workspace of its own per notebook, so JupyterLab does not reopen the previous one.
    await page.goto(`http://127.0.0.1:${port}/lab/workspaces/bt${index}/tree/${encodeURIComponent(name)}?token=${token}`);
    await page.waitForFunction(() => {
      const p = window.jupyterapp && window.jupyterapp.shell.currentWidget;
      return p && p.sessionContext && p.sessionContext.session && p.sessionContext.session.kernel &&
        p.sessionContext.session.kernel.connectionStatus === 'connected' && p.content && p.content.widgets.length > 0;
    }, null, { timeout: 120000, polling: 250 });
    // The status stays "unknown" until the first cell runs: JupyterLab >= 4.5 ignores status
    // messages answering kernel_info requests, and GoNB sends no other one before a cell runs.
    await sleep(1000);
    const kname = await page.evaluate(() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.name);
    if (kname !== 'gonb') f(`kernel is ${kname}, want gonb`);

    // Run All, from the menu. Meanwhile watch the training views' progress lines.
    const seenSteps = new Map(); // cell -> Set of steps seen while running
    const watch = async () => {
      for (const p of await page.evaluate(progressLines)) {
        if (!seenSteps.has(p.cell)) seenSteps.set(p.cell, new Set());
        seenSteps.get(p.cell).add(p.step);
      }
    };
    const t = Date.now();
    await menu(page, 'Run', 'Run All Cells');
    const budget = budgetOf(nb);
    const st = await waitIdle(page, 'Run All', Math.max(600, 4 * budget) * 1000, watch, true);
    result.runAll = (Date.now() - t) / 1000;
    const liveNote = st.liveAtEnd.length ? `; the live control in the last code cell, ${st.liveAtEnd[0]}, is still live` : '';
    log(`RUN-ALL ${name} ${result.runAll.toFixed(1)} s (headless budget ${budget || '-'} s)${liveNote} at ${elapsed()}`);
    await page.screenshot({ path: shot('runall') });

    for (const e of errorsIn(st)) f(`error output: ${e}`);

    // Figures.
    const figs = await page.evaluate(figureReport);
    result.figures = figs.length;
    const bad = figs.filter((x) => !(x.w > 0 && x.h > 0 && x.colours > 1));
    if (figs.length === 0) f('no figures in the outputs');
    for (const b of bad) f(`blank figure in cell ${b.cell}: <${b.tag}> ${b.w}×${b.h}, ${b.colours} colour(s)`);
    if (figs.length && !bad.length) log(`${name}: ${figs.length} figures, all visible, non-zero and not one colour`);

    // Training views: updated in place while running, one final progress line each. Chapter 5 (not its
    // solutions) must have one that was seen updating: its 2000 steps take long enough to see.
    const chapter5 = /^05-[^.]*$/.test(tag);
    const finalLines = await page.evaluate(progressLines);
    result.trainingViews = finalLines.length;
    for (const p of finalLines) {
      const seen = seenSteps.has(p.cell) ? [...seenSteps.get(p.cell)].sort((a, b) => a - b) : [];
      const updates = seen.filter((s) => s < p.total).length;
      const ok = p.step === p.total && updates >= 1;
      const msg = `training view in cell ${p.cell}: final step ${p.step}/${p.total}; seen updating in place at steps ${seen.slice(0, 8).join(',')}${seen.length > 8 ? ',…' : ''}`;
      if (ok) log(`${name}: ${msg}`);
      else if (chapter5) f(msg);
      else log(`${name}: NOTE ${msg} (too fast to see an update)`);
    }
    if (chapter5 && finalLines.length === 0) f('no training view');
    const perCell = new Map();
    for (const p of finalLines) perCell.set(p.cell, (perCell.get(p.cell) || 0) + 1);
    for (const [cell, n] of perCell) if (n !== 1) f(`training view in cell ${cell} shows ${n} progress lines, want 1 (the final one)`);

    await frameSliders(page, name, shot, f, result);
    await liveControls(page, name, shot, f, result, st.liveAtEnd, consoleErrors);

    // Anything the page logged by our code: flowlib's scripts and GoNB's gonb_comm.
    const ours = consoleErrors.filter((e) => /flowlib|gonb/i.test(e));
    for (const e of ours) f(`console error: ${e.slice(0, 300)}`);
    const others = consoleErrors.filter((e) => !/flowlib|gonb/i.test(e));
    if (others.length) log(`${name}: ${others.length} console error(s) from JupyterLab itself (not failing): ${others.slice(0, 3).map((e) => e.slice(0, 160)).join(' | ')}`);
    for (const u of [...new Set(offHost)]) f(`request to a host other than 127.0.0.1: ${u}`);
  } catch (e) {
    f(e && e.message ? e.message : String(e));
    await page.screenshot({ path: shot('failure') }).catch(() => {});
  } finally {
    await context.close().catch(() => {});
    await shutdownKernels(port, token);
  }
  result.failures = ctx.failures.length - nFail;
  return result;
}

// Each FrameSlider: moving its range input must show another frame (another image).
async function frameSliders(page, name, shot, f, result) {
  const sliders = page.locator('.jp-OutputArea-output .flowlib-slider');
  const n = await sliders.count();
  result.frameSliders = n;
  for (let k = 0; k < n; k++) {
    const s = sliders.nth(k);
    const visible = () => s.evaluate((root) => {
      const vis = Array.from(root.querySelectorAll('.flowlib-frame')).filter((x) => x.style.display !== 'none');
      const img = vis.length === 1 ? vis[0].querySelector('img') : null;
      return { n: vis.length, label: vis.length ? vis[0].getAttribute('data-label') : '',
        src: img ? img.getAttribute('src') : '', w: img ? img.naturalWidth : 0 };
    });
    await s.scrollIntoViewIfNeeded();
    const a = await visible();
    if (k === 0) await s.screenshot({ path: shot(`frameslider${k}-before`) });
    // A click three quarters along the track, as a student would (JupyterLab keeps arrow keys
    // for moving between cells).
    const range = s.locator('input[type=range]').first();
    const box = await range.boundingBox();
    await range.click({ position: { x: box.width * 0.75, y: box.height / 2 } });
    await sleep(200);
    const b = await visible();
    if (k === 0) await s.screenshot({ path: shot(`frameslider${k}-after`) });
    if (a.n !== 1 || b.n !== 1) f(`frame slider ${k}: shows ${a.n} then ${b.n} frames, want exactly 1`);
    else if (a.w <= 0 || b.w <= 0) f(`frame slider ${k}: blank frame image`);
    else if (a.src === b.src) f(`frame slider ${k}: the image did not change (${a.label} → ${b.label})`);
    else log(`${name}: frame slider ${k} ok: "${a.label}" (${hash(a.src)}) → "${b.label}" (${hash(b.src)})`);
  }
}

// Each live control: ended with a note during Run All; then run its cell alone, move it, and see
// Go re-render the figure; then Done.
// GoNB's page script waits a fixed 500 ms for the kernel to acknowledge its comm channel
// (gonb_comm._wait_open_ack in GoNB v0.11.3's websocket.js); on a loaded machine the ack can come
// later, the channel closes, and a live control never becomes live. What a student does then is
// to run the cell again. The test does the same, once, and says so; the
// console error of a connect that was retried is not counted as a failure.
const commTimeout = /gonb_comm: failed to connect to kernel.*comm_open_ack not received in time/;

async function liveControls(page, name, shot, f, result, liveAtEnd, consoleErrors) {
  const liveCells = await page.evaluate(() => {
    const cells = window.jupyterapp.shell.currentWidget.content.widgets;
    return cells.map((c, i) => (c.node.querySelector('.flowlib-live-ended, [id^="flowlib-live-"]') ? i : -1)).filter((i) => i >= 0);
  });
  result.liveControls = liveCells.length;
  for (const ci of liveCells) {
    const cell = page.locator('.jp-Notebook .jp-Cell').nth(ci);
    await cell.scrollIntoViewIfNeeded();
    const note = await cell.locator('.flowlib-live-ended').first().innerText().catch(() => '');
    const live = await cell.locator('[id^="flowlib-live-"]:is(input, select):not([disabled])').count();
    await cell.locator(".jp-Cell-outputWrapper").first().screenshot({ path: shot(`live${ci}-after-runall`) });
    const t = Date.now();
    if (liveAtEnd.includes(ci)) {
      // The last code cell: nothing waits behind it, so it stays live; use it as it is.
      log(`${name}: live control in cell ${ci} (the last code cell) is still live after Run All`);
    } else if (live === 0 && /no live notebook front end/.test(note) && consoleErrors.some((e) => commTimeout.test(e))) {
      // GoNB's connect timed out during Run All, so the control fell back to its static figure and
      // said so; run it alone, as below (waitLive then sees whether it goes live this time).
      log(`${name}: live control in cell ${ci}: GoNB's 500 ms comm connect timed out during Run All (a busy machine); it showed its static figure with the note "${note.replace(/\s+/g, ' ')}"; running it alone`);
      for (const e of consoleErrors.filter((x) => commTimeout.test(x))) consoleErrors.splice(consoleErrors.indexOf(e), 1);
      result.commRetries = (result.commRetries || 0) + 1;
      await cell.locator('.jp-InputPrompt').first().click();
      await page.keyboard.press('Control+Enter');
    } else if (live > 0 || !/live control ended so that the next cells could run/.test(note)) {
      f(`live control in cell ${ci}: after Run All, want it ended with the note, got ${live} live input(s) and note "${note}"`);
      continue;
    } else {
      log(`${name}: live control in cell ${ci} ended during Run All, note: "${note.replace(/\s+/g, ' ')}"`);
      // Run this cell alone (click its prompt to select it, then Ctrl+Enter: run in place).
      await cell.locator('.jp-InputPrompt').first().click();
      await page.keyboard.press('Control+Enter');
    }
    const input = cell.locator('[id^="flowlib-live-"]:is(input, select):not([disabled])').first();
    // Wait for the control, or for GoNB's connect timeout, which it cannot recover from by itself.
    const waitLive = async () => {
      for (const end = Date.now() + 120000; Date.now() < end;) {
        if (await input.waitFor({ state: 'visible', timeout: 1000 }).then(() => true, () => false)) return true;
        if (consoleErrors.some((e) => commTimeout.test(e))) return false;
      }
      return false;
    };
    let visible = await waitLive();
    const timedOut = consoleErrors.filter((e) => commTimeout.test(e));
    if (!visible && timedOut.length > 0) {
      log(`${name}: live control in cell ${ci}: GoNB's 500 ms comm connect timed out (a busy machine); running the cell again, as a student would`);
      for (const e of timedOut) consoleErrors.splice(consoleErrors.indexOf(e), 1);
      result.commRetries = (result.commRetries || 0) + 1;
      await cell.locator('.jp-InputPrompt').first().click();
      await page.keyboard.press('Control+Enter');
      visible = await waitLive();
    }
    if (!visible) {
      f(`live control in cell ${ci}: run alone, no live control within 120 s`);
      continue;
    }
    const figure = () => cell.evaluate((c) => {
      const img = Array.from(c.querySelectorAll('.jp-OutputArea-output img')).find((im) => !im.closest('.flowlib-live-ended'));
      return img ? { src: img.getAttribute('src'), w: img.naturalWidth } : { src: '', w: 0 };
    });
    // The Go side answers once the control's script has connected: the first move may come before
    // that, so give each move a generous time (chapter 5 retrains a flow for each change).
    await sleep(1500);
    let prev = await figure();
    await cell.locator(".jp-Cell-outputWrapper").first().screenshot({ path: shot(`live${ci}-before`) });
    const isSelect = (await input.evaluate((e) => e.tagName.toLowerCase())) === 'select';
    const moves = isSelect ? 1 : 2;
    let ok = true;
    for (let m = 0; m < moves && ok; m++) {
      const before = prev.src;
      const value = await input.evaluate((e) => e.value);
      if (isSelect) await input.selectOption({ index: Number(value) + 1 });
      else {
        const box = await input.boundingBox();
        await input.click({ position: { x: box.width * (m === 0 ? 0.8 : 0.3), y: box.height / 2 } });
      }
      const newValue = await input.evaluate((e) => e.value);
      try {
        await page.waitForFunction(({ c, b }) => {
          const el = document.querySelectorAll('.jp-Notebook .jp-Cell')[c];
          const img = el && Array.from(el.querySelectorAll('.jp-OutputArea-output img')).find((im) => !im.closest('.flowlib-live-ended'));
          return img && img.getAttribute('src') !== b && img.complete && img.naturalWidth > 0;
        }, { c: ci, b: before }, { timeout: 180000, polling: 250 });
        prev = await figure();
        log(`${name}: live control in cell ${ci}: ${value} → ${newValue}, Go re-rendered the figure (${hash(before)} → ${hash(prev.src)}) at +${((Date.now() - t) / 1000).toFixed(1)} s`);
      } catch (e) {
        f(`live control in cell ${ci}: the figure did not change within 180 s of moving it ${value} → ${newValue}`);
        ok = false;
      }
    }
    await cell.locator(".jp-Cell-outputWrapper").first().screenshot({ path: shot(`live${ci}-after`) });
    await cell.locator('button[id^="flowlib-live-"][id$="-done"]').first().click().catch(() => {});
    try {
      await page.waitForFunction((c) => {
        const el = document.querySelectorAll('.jp-Notebook .jp-Cell')[c];
        const n = el && el.querySelector('.flowlib-live-ended');
        return n && /Done was pressed/.test(n.textContent);
      }, ci, { timeout: 30000 });
      const st = await waitIdle(page, `cell ${ci} after Done`, 60000);
      for (const e of errorsIn(st)) f(`after running cell ${ci} alone: ${e}`);
    } catch (e) {
      f(`live control in cell ${ci}: Done did not end it: ${e.message}`);
    }
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const outDir = args.out || fs.mkdtempSync(path.join(os.tmpdir(), 'flows-browsertest-out-'));
  fs.mkdirSync(outDir, { recursive: true });
  for (const nb of args.notebooks) if (!fs.existsSync(nb)) throw new Error(`notebook not found: ${nb}`);

  const jupyter = findJupyter();
  const browserPath = findChromium();
  const ws = makeWorkspace(args.notebooks);
  const port = await freePort();
  const token = crypto.randomBytes(24).toString('hex');
  const failures = [];
  const fail = (m) => { failures.push(m); log('FAIL:', m); };
  const results = [];
  let server = null;
  let browser = null;
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, async () => {
      log(`${sig}: stopping JupyterLab and the kernels`);
      if (browser) await browser.close().catch(() => {});
      await stopServer(server, port, token);
      if (!args.keep) fs.rmSync(ws, { recursive: true, force: true });
      process.exit(130);
    });
  }
  try {
    const s = await startServer(jupyter, ws, port, token, path.join(outDir, 'server.log'));
    server = s.proc;
    log(`JupyterLab ${s.version} up on 127.0.0.1:${port} at ${elapsed()}; ${args.notebooks.length} notebook(s); screenshots in ${outDir}`);
    browser = await chromium.launch({
      executablePath: browserPath,
      headless: true,
      // Without the background-networking flags Chromium keeps dialing out on this closed network.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-dev-shm-usage'],
      // No --user-data-dir: playwright gives every launch a fresh temporary profile of its own.
    });
    const ctx = { browser, port, token, outDir, fail, failures };
    for (let i = 0; i < args.notebooks.length; i++) results.push(await testNotebook(ctx, args.notebooks[i], i));
  } catch (e) {
    fail(e && e.message ? e.message : String(e));
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopServer(server, port, token);
    if (!args.keep) fs.rmSync(ws, { recursive: true, force: true });
  }
  log('summary: notebook | Run All | figures | frame sliders | live controls | training views | failures');
  for (const r of results) {
    log(`  ${r.name} | ${Number.isFinite(r.runAll) ? r.runAll.toFixed(1) + ' s' : '-'} | ${r.figures} | ${r.frameSliders} | ${r.liveControls} | ${r.trainingViews} | ${r.failures}`);
  }
  fs.writeFileSync(path.join(outDir, 'browsertest.json'), JSON.stringify({ results, failures }, null, 2));
  if (failures.length) {
    log(`FAILED after ${elapsed()}: ${failures.length} failure(s); screenshots and server log in ${outDir}`);
    process.exit(1);
  }
  log(`passed in ${elapsed()}; screenshots in ${outDir}`);
}

main().catch((e) => { console.error('browsertest:', e); process.exit(2); });
