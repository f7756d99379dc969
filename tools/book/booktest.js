#!/usr/bin/env node
// Real-browser test of the book that tools/book built: opens every page from file:// in Chromium
// (playwright-core driving the system browser, a fresh profile) and checks what a reader gets:
//   - every page loads with no console error, no failed load, and no request outside the site's
//     folder (no CDN, no web font from elsewhere, nothing on the network);
//   - every <img> (the hidden frames of sliders too) has a non-zero natural size;
//   - every frame slider (plots.FrameSlider) shows another figure when moved;
//   - every formula is typeset by KaTeX without error, and no "$" is left in the page's text
//     outside code and typeset math;
//   - every live control shows its static figure with the book's note;
//   - the links work: index → each chapter (clicked), each chapter's prev/next (clicked), and
//     every relative link names a file of the site.
// Screenshots (index.png, chapter1-slider-moved.png) and booktest.json go to --out.
//
// Usage: node tools/book/booktest.js --site SITE_DIR [--out DIR]
// Environment: FLOWS_CHROMIUM (browser binary). Exits 1 on any failure.
'use strict';

const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL, fileURLToPath } = require('url');

const log = (...m) => console.log('booktest:', ...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function parseArgs(argv) {
  const a = { site: '', out: '' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--site') a.site = argv[++i];
    else if (argv[i] === '--out') a.out = argv[++i];
    else { console.log('usage: booktest.js --site SITE_DIR [--out DIR]'); process.exit(2); }
  }
  if (!a.site) { console.log('usage: booktest.js --site SITE_DIR [--out DIR]'); process.exit(2); }
  a.site = path.resolve(a.site);
  a.out = path.resolve(a.out || path.join(a.site, '..', 'booktest'));
  return a;
}

function findChromium() {
  const c = [process.env.FLOWS_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  for (const p of c) if (p && fs.existsSync(p)) return p;
  throw new Error('no Chromium found: run kernel-setup/setup.sh --with-test-tools, or set FLOWS_CHROMIUM');
}

// In the page: what a reader sees, counted.
async function pageReport() {
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map((im) => (im.complete ? null : new Promise((r) => { im.onload = im.onerror = r; }))));
  const badImgs = imgs.filter((im) => !(im.naturalWidth > 0 && im.naturalHeight > 0)).map((im) => (im.getAttribute('src') || '').slice(0, 60));
  const math = Array.from(document.querySelectorAll('.math'));
  const untypeset = math.filter((m) => !m.querySelector('.katex') || m.querySelector('.katex-error')).map((m) => m.textContent.slice(0, 80));
  // Text a reader reads (not code, not typeset math, not scripts) must hold no "$" left over.
  const dollars = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (n.parentElement.closest('script, style, pre, code, .katex')) continue;
    if (n.nodeValue.indexOf('$') >= 0) dollars.push(n.nodeValue.trim().slice(0, 100));
  }
  const live = Array.from(document.querySelectorAll('.book-live'));
  // The note is its own output, after the figure's (flowlib shows the figure, then the note).
  const figureOf = (l) => l.querySelector('img') || (l.previousElementSibling && l.previousElementSibling.querySelector('img'));
  const liveBad = live.filter((l) => !/in the notebook this control is live/.test(l.textContent) || !figureOf(l)).length;
  const links = Array.from(document.querySelectorAll('a[href]')).map((a) => a.getAttribute('href'));
  return {
    title: document.title, h1: (document.querySelector('main h1') || {}).textContent || '',
    images: imgs.length, badImgs, formulas: math.length, untypeset, dollars,
    sliders: document.querySelectorAll('.flowlib-slider').length, live: live.length, liveBad, links,
    codeCells: document.querySelectorAll('details.code').length,
    prev: (document.querySelector('nav.pager a.prev') || { getAttribute: () => null }).getAttribute('href'),
    next: (document.querySelector('nav.pager a.next') || { getAttribute: () => null }).getAttribute('href'),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  fs.mkdirSync(args.out, { recursive: true });
  const index = path.join(args.site, 'index.html');
  if (!fs.existsSync(index)) throw new Error(`no ${index}: build the book first (go run ./tools/book)`);
  const siteURL = pathToFileURL(args.site + path.sep).href;
  const failures = [];
  const fail = (m) => { failures.push(m); log('FAIL:', m); };
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'flows-booktest-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(), headless: true, viewport: { width: 1280, height: 900 },
    // Without the background-networking flags Chromium keeps dialing out on this closed network.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  // Every request of every page: it must be a data:/blob: URL or a file inside the site's folder.
  const outside = new Set();
  const failed = [];
  context.on('request', (r) => {
    const u = r.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    if (!u.startsWith(siteURL)) outside.add(u);
  });
  context.on('requestfailed', (r) => { if (!r.url().startsWith('data:')) failed.push(`${r.url()} (${r.failure() && r.failure().errorText})`); });
  await context.route(/^(https?|wss?|ftp):/, (route) => { outside.add(route.request().url()); return route.abort(); });

  const page = context.pages()[0] || await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`); });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e && e.message ? e.message : e}`));
  const open = async (url) => {
    await page.goto(url, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);
  };
  const here = () => path.relative(args.site, fileURLToPath(page.url().split('#')[0]));
  const totals = { pages: 0, images: 0, sliders: 0, slidersMoved: 0, formulas: 0, live: 0, codeCells: 0, linksClicked: 0 };
  const results = [];

  try {
    // The index: its chapter list, then each chapter reached by a click.
    await open(pathToFileURL(index).href);
    await page.screenshot({ path: path.join(args.out, 'index.png'), fullPage: true });
    const chapters = await page.$$eval('ol.toc a.toc-title', (as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent })));
    if (chapters.length === 0) fail('index: no chapters listed');
    log(`index lists ${chapters.length} chapters: ${chapters.map((c) => c.href).join(', ')}`);
    // Solutions pages, listed beside their chapter in the index, are checked like chapters after them.
    const solutions = await page.$$eval('ol.toc li', (lis) => lis.map((li) => {
      const s = li.querySelector('a.toc-solutions');
      return s ? { href: s.getAttribute('href'), chapter: li.querySelector('a.toc-title').getAttribute('href') } : null;
    }).filter((x) => x));
    log(`index lists ${solutions.length} solutions pages: ${solutions.map((s) => s.href).join(', ')}`);
    for (const c of chapters) {
      await open(pathToFileURL(index).href);
      await page.locator('ol.toc a.toc-title', { hasText: c.text }).first().click();
      await page.waitForLoadState('load');
      totals.linksClicked++;
      if (here() !== c.href) fail(`index → "${c.text}": landed on ${here()}, want ${c.href}`);
    }

    const pagesToCheck = ['index.html', ...chapters.map((c) => c.href), ...solutions.map((s) => s.href)];
    for (let i = 0; i < pagesToCheck.length; i++) {
      const name = pagesToCheck[i];
      await open(pathToFileURL(path.join(args.site, name)).href);
      const r = await page.evaluate(pageReport);
      r.page = name;
      totals.pages++;
      totals.images += r.images; totals.formulas += r.formulas; totals.sliders += r.sliders; totals.live += r.live; totals.codeCells += r.codeCells;
      for (const b of r.badImgs) fail(`${name}: image with no size: ${b}…`);
      for (const m of r.untypeset) fail(`${name}: formula not typeset: ${m}`);
      for (const d of r.dollars) fail(`${name}: raw $ left in the text: "${d}"`);
      if (r.liveBad) fail(`${name}: ${r.liveBad} live control(s) without a figure or the book's note`);
      for (const l of r.links) {
        if (/^[a-z]+:/i.test(l) || l.startsWith('#')) continue; // external links are the reader's to follow; anchors are in-page
        const f = path.join(args.site, decodeURIComponent(l.split('#')[0]));
        if (!fs.existsSync(f)) fail(`${name}: link to a missing file: ${l}`);
      }

      // Frame sliders: a click three quarters along the track must show another frame.
      const sliders = page.locator('.flowlib-slider');
      const n = await sliders.count();
      for (let k = 0; k < n; k++) {
        const s = sliders.nth(k);
        const visible = () => s.evaluate((root) => {
          const vis = Array.from(root.querySelectorAll('.flowlib-frame')).filter((x) => getComputedStyle(x).display !== 'none');
          const img = vis.length === 1 ? vis[0].querySelector('img') : null;
          return { n: vis.length, label: vis.length ? vis[0].getAttribute('data-label') : '', src: img ? img.getAttribute('src') : '', w: img ? img.naturalWidth : 0 };
        });
        await s.scrollIntoViewIfNeeded();
        const a = await visible();
        const range = s.locator('input[type=range]').first();
        const box = await range.boundingBox();
        await range.click({ position: { x: box.width * 0.75, y: box.height / 2 } });
        await sleep(100);
        const b = await visible();
        if (a.n !== 1 || b.n !== 1) fail(`${name}: frame slider ${k}: shows ${a.n} then ${b.n} frames, want 1`);
        else if (!(a.w > 0 && b.w > 0)) fail(`${name}: frame slider ${k}: a blank frame`);
        else if (a.src === b.src) fail(`${name}: frame slider ${k}: the figure did not change ("${a.label}" → "${b.label}")`);
        else { totals.slidersMoved++; log(`${name}: frame slider ${k}: "${a.label}" → "${b.label}", the figure changed`); }
        if (i === 1 && k === 0) {
          await page.screenshot({ path: path.join(args.out, 'chapter1-slider-moved.png') });
          await s.screenshot({ path: path.join(args.out, 'chapter1-slider-moved-crop.png') });
        }
      }

      // Prev/next, clicked: chapter i's next is chapter i+1 (the last one's, the index), and back;
      // a solutions page's only link back is to its chapter, and its chapter links to it.
      const sol = solutions.find((x) => x.href === name);
      if (sol) {
        await open(pathToFileURL(path.join(args.site, name)).href);
        await page.locator('nav.pager a.prev').first().click();
        await page.waitForLoadState('load');
        totals.linksClicked++;
        if (here() !== sol.chapter) fail(`${name}: "prev" went to ${here()}, want ${sol.chapter}`);
        await page.locator('p.solutions-link a').first().click();
        await page.waitForLoadState('load');
        totals.linksClicked++;
        if (here() !== name) fail(`${sol.chapter}: the solutions link went to ${here()}, want ${name}`);
      } else if (i > 0) {
        const want = { next: pagesToCheck[i + 1] && i < chapters.length ? pagesToCheck[i + 1] : 'index.html', prev: i > 1 ? pagesToCheck[i - 1] : 'index.html' };
        for (const dir of ['next', 'prev']) {
          await open(pathToFileURL(path.join(args.site, name)).href);
          await page.locator(`nav.pager a.${dir}`).first().click();
          await page.waitForLoadState('load');
          totals.linksClicked++;
          if (here() !== want[dir]) fail(`${name}: "${dir}" went to ${here()}, want ${want[dir]}`);
        }
      }
      delete r.links;
      results.push(r);
      log(`${name}: ${r.images} images, ${r.sliders} sliders, ${r.formulas} formulas, ${r.live} live controls (static), ${r.codeCells} code cells`);
    }
  } catch (e) {
    fail(e && e.stack ? e.stack : String(e));
  } finally {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  for (const e of new Set(consoleErrors)) fail(`console error: ${e.slice(0, 300)}`);
  for (const u of outside) fail(`request outside the site's folder: ${u}`);
  for (const u of new Set(failed)) fail(`failed load: ${u}`);
  fs.writeFileSync(path.join(args.out, 'booktest.json'), JSON.stringify({ totals, results, failures }, null, 2));
  log(`${totals.pages} pages, ${totals.images} images (all non-zero), ${totals.slidersMoved}/${totals.sliders} frame sliders moved, ` +
    `${totals.formulas} formulas typeset, ${totals.live} live controls shown static, ${totals.codeCells} code cells, ${totals.linksClicked} links clicked`);
  if (failures.length) { log(`FAILED: ${failures.length} failure(s); screenshots in ${args.out}`); process.exit(1); }
  log(`passed; screenshots in ${args.out}`);
}

main().catch((e) => { console.error('booktest:', e); process.exit(2); });
