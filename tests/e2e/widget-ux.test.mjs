// Issue 17 in a real browser (Debian's chromium through playwright-core) against the real
// `advisor serve`: history after a reload, focus, dark mode and isolation, the connection
// banner, a refused origin, the start-over confirmation, the scannable card, cached and
// compressed files, and axe-core with zero violations in light and dark. Writes the
// screenshots docs/widget-light.png, docs/widget-dark.png and docs/widget-phone.png to
// ADVISOR_SCREENSHOT_DIR (default tests/e2e/artifacts; scripts/widget-screenshots sets docs/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startAdvisor, makeDataDir, removeDir, sourceDir } from './advisor.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, 'artifacts');
const screenshots = process.env.ADVISOR_SCREENSHOT_DIR || artifacts;
const axeSource = readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
const maxTurns = 40;
const testTimeoutMs = 120000;
const uiTimeoutMs = 20000;

let server;
let dataDir;
let browser;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  mkdirSync(screenshots, { recursive: true });
  dataDir = makeDataDir();
  server = await startAdvisor({ dataDir });
  browser = await chromium.launch({
    executablePath: process.env.ADVISOR_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop('SIGKILL');
  removeDir(dataDir);
});

// A fresh browser profile showing `url`. bypassCSP lets axe-core be injected into the demo
// page (its CSP allows only its own scripts); the widget itself runs the same either way.
// fakeClock: the page's timers run on Playwright's clock, so a test can hold the widget's
// reconnection backoff still (pauseOffline) and show what "Retry now" alone does.
async function openPage({ viewport = { width: 1100, height: 800 }, url = server.origin + '/', init = null, colorScheme = 'light', fakeClock = false } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, bypassCSP: true });
  if (fakeClock) await context.clock.install();
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  page.setDefaultTimeout(uiTimeoutMs);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('dialog', (d) => { page.errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(url);
  return page;
}

const botMessages = (page) => page.locator('.advisor-msg-bot');
const liveBotMessages = (page) => page.locator('.advisor-msg-bot:not(.advisor-msg-past)');
const optionButtons = (page) => page.locator('.advisor-options button');

async function openChat(page) {
  const launcher = page.getByRole('button', { name: /open the .* chat/i });
  if (await page.locator('.advisor-panel').isHidden()) await launcher.click();
  await page.locator('.advisor-panel').waitFor({ state: 'visible' });
  await optionButtons(page).first().waitFor();
}

async function answerOne(page) {
  const count = await botMessages(page).count();
  const confirm = page.locator('.advisor-options button[data-option="confirm"]');
  const button = (await confirm.count())
    ? confirm
    : page.locator('.advisor-options button:not([data-option="not_sure"])').first();
  await button.click();
  await botMessages(page).nth(count).waitFor();
}

async function answerUntilCard(page) {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (await page.locator('.advisor-card').count()) return;
    await answerOne(page);
  }
  assert.fail(`no recommendation card after ${maxTurns} answers`);
}

// Every message shown, in order: [who, text] (the advisor's Markdown as rendered).
async function transcript(page, selector = '.advisor-msg') {
  return page.locator(selector).evaluateAll((nodes) => nodes.map((n) => {
    if (n.classList.contains('advisor-msg-user')) return ['user', n.querySelector('.advisor-user-text').innerText];
    return ['advisor', n.querySelector('.advisor-md').innerText];
  }));
}

const shadowActive = (page) => page.evaluate(() => {
  const host = document.querySelector('[data-advisor-widget]');
  const el = host.shadowRoot.activeElement;
  if (!el) return { outside: document.activeElement ? document.activeElement.tagName : null };
  return { cls: el.className, option: el.getAttribute('data-option'), inPanel: !!el.closest('.advisor-panel') };
});

// axe-core over the whole page (the widget's open shadow root included): WCAG 2.x A and AA.
async function axeViolations(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary) }));
  });
}

// With the server down: stops the page's clock once a reconnection is waiting on its backoff
// timer (no attempt in flight), so nothing reconnects until the test says so.
async function pauseOffline(page) {
  await page.locator('.advisor-banner', { hasText: /offline/i }).waitFor();
  // The page's clock keeps running between reading it and pausing it: on a loaded machine it may
  // already be past the moment asked for ("Cannot fast-forward to the past"). Read it again then.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 50);
      break;
    } catch (e) {
      if (attempt >= 20 || !/past/i.test(String(e.message))) throw e;
    }
  }
  await until(() => page.evaluate(() => window.__advisorWidget.retrying), 'a reconnection waiting on its timer');
}

// Waits for a condition of the test's own (polled), failing after timeoutMs.
async function until(condition, what, timeoutMs = uiTimeoutMs) {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const luminance = (rgb) => {
  const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a, b) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};

test('a reload shows every earlier message in order, in the same words, with a divider and times', { timeout: testTimeoutMs }, async () => {
  const page = await openPage();
  await openChat(page);
  await answerOne(page);
  await answerOne(page);
  // A typed answer: the first option's label, as a user would type it.
  const typed = (await optionButtons(page).first().innerText()).trim();
  let count = await botMessages(page).count();
  await page.locator('.advisor-input').fill(typed);
  await page.locator('.advisor-input').press('Enter');
  await botMessages(page).nth(count).waitFor();
  const before = await transcript(page);
  assert.equal(before.length, 7, 'greeting + 3 answers and 3 replies');

  await page.reload();
  await page.locator('.advisor-divider').waitFor();
  assert.match(await page.locator('.advisor-divider').innerText(), /welcome back/i);
  const past = await transcript(page, '.advisor-msg-past');
  assert.deepEqual(past.map((m) => m[0]), before.map((m) => m[0]));
  // The advisor's words come back as it said them.
  for (let i = 0; i < before.length; i++) {
    if (before[i][0] === 'advisor') assert.equal(past[i][1], before[i][1], `message ${i}`);
  }
  // The buttons' labels come back; the typed answer comes back as the words it was taken from.
  assert.equal(past[1][1].split('\n')[0], before[1][1]);
  assert.equal(past[3][1].split('\n')[0], before[3][1]);
  // (The log keeps the words an answer was taken from, not the whole sentence typed.)
  const typedBack = past[5][1].split('\n')[0].toLowerCase();
  assert.ok(typedBack.length > 0 && typed.toLowerCase().includes(typedBack), `"${typedBack}" is from "${typed}"`);
  // Each earlier answer and reply carries the time it was stored.
  const times = await page.locator('.advisor-msg-past time').evaluateAll((ts) => ts.map((t) => t.dateTime));
  assert.equal(times.length, 6);
  for (const t of times) assert.ok(Math.abs(Date.parse(t) - Date.now()) < 10 * 60 * 1000, `${t} is a time of this test`);
  // The divider sits between the past and the question asked now, which still works.
  const order = await page.locator('.advisor-log > *').evaluateAll((nodes) => nodes.map((n) => n.className));
  const divider = order.findIndex((c) => c.includes('advisor-divider'));
  assert.ok(order.slice(0, divider).every((c) => c.includes('advisor-msg-past')));
  assert.ok(order.slice(divider + 1).some((c) => c.includes('advisor-msg-bot')));
  // The user's earlier words are text: nothing but text and a time in their bubbles.
  const tags = await page.locator('.advisor-msg-user.advisor-msg-past *').evaluateAll((ns) => [...new Set(ns.map((n) => n.tagName))]);
  assert.deepEqual(tags.sort(), ['P', 'TIME']);
  count = await botMessages(page).count();
  await answerOne(page);
  assert.equal(await botMessages(page).count(), count + 1);
  // A reconnect (not a reload) asks for no history: nothing is shown twice.
  assert.equal(await page.locator('.advisor-divider').count(), 1);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('focus: stays in the text box after a typed answer, none taken on load, Tab kept inside on phones', { timeout: testTimeoutMs }, async () => {
  const page = await openPage();
  await openChat(page);
  const count = await botMessages(page).count();
  const typed = (await optionButtons(page).first().innerText()).trim();
  await page.locator('.advisor-input').fill(typed);
  await page.locator('.advisor-input').press('Enter');
  await botMessages(page).nth(count).waitFor();
  await optionButtons(page).first().waitFor();
  assert.match((await shadowActive(page)).cls, /advisor-input/);
  // The next keystrokes land in the box.
  await page.keyboard.type('why');
  assert.equal(await page.locator('.advisor-input').inputValue(), 'why');
  await page.context().close();

  // The panel was left open: the page loads with it open, and focus stays with the page.
  const reopened = await openPage({ init: "localStorage.setItem('advisor-open', '1')" });
  await reopened.locator('.advisor-panel').waitFor({ state: 'visible' });
  await optionButtons(reopened).first().waitFor();
  assert.deepEqual(await shadowActive(reopened), { outside: 'BODY' });
  await reopened.context().close();

  // Full screen on a phone, Tab and Shift+Tab go round inside the panel.
  const phone = await openPage({ viewport: { width: 375, height: 700 } });
  await openChat(phone);
  assert.equal(await phone.locator('.advisor-panel').getAttribute('aria-modal'), 'true');
  const stops = await phone.locator('.advisor-panel').evaluate((p) => p.querySelectorAll('button, input, [tabindex="0"]').length);
  for (let i = 0; i < stops + 3; i++) {
    await phone.keyboard.press('Tab');
    assert.equal((await shadowActive(phone)).inPanel, true, `Tab ${i + 1} stays in the panel`);
  }
  for (let i = 0; i < stops + 3; i++) {
    await phone.keyboard.press('Shift+Tab');
    assert.equal((await shadowActive(phone)).inPanel, true, `Shift+Tab ${i + 1} stays in the panel`);
  }
  await phone.context().close();
});

test('dark mode from prefers-color-scheme and data-advisor-theme, readable card, colours documented', { timeout: testTimeoutMs * 2 }, async () => {
  const look = (page) => page.locator('.advisor-panel').evaluate((p) => ({
    panel: getComputedStyle(p).backgroundColor,
    text: getComputedStyle(p.querySelector('.advisor-msg-bot')).color,
    bubble: getComputedStyle(p.querySelector('.advisor-msg-bot')).backgroundColor,
  }));
  const light = await openPage();
  await openChat(light);
  const l = await look(light);
  assert.ok(luminance(l.panel) > 0.8, `light panel ${l.panel}`);

  const dark = await openPage({ colorScheme: 'dark' });
  await openChat(dark);
  const d = await look(dark);
  assert.ok(luminance(d.panel) < 0.05, `dark panel ${d.panel}`);
  assert.ok(contrast(d.text, d.bubble) >= 7, `dark text ${d.text} on ${d.bubble}`);
  // The card, themed dark, stays readable: every text in it against the card.
  await answerUntilCard(dark);
  await dark.locator('.advisor-card-more > summary').click();
  const pairs = await dark.locator('.advisor-card').evaluate((card) => {
    const bg = getComputedStyle(card).backgroundColor;
    return [...card.querySelectorAll('p, li, h3, h4, dt, dd, summary, strong, span')]
      .filter((n) => n.getClientRects().length && n.textContent.trim())
      .map((n) => {
        let b = getComputedStyle(n).backgroundColor;
        for (let a = n; b === 'rgba(0, 0, 0, 0)' && a && a !== card; a = a.parentElement) b = getComputedStyle(a).backgroundColor;
        return { cls: n.className || n.tagName, color: getComputedStyle(n).color, bg: b === 'rgba(0, 0, 0, 0)' ? bg : b };
      });
  });
  assert.ok(pairs.length > 10);
  for (const p of pairs) assert.ok(contrast(p.color, p.bg) >= 4.5, `${p.cls}: ${p.color} on ${p.bg}`);
  await dark.locator('.advisor-card').evaluate((card) => card.scrollIntoView({ block: 'start' }));
  await dark.screenshot({ path: path.join(screenshots, 'widget-dark.png') });
  await dark.context().close();

  // The attribute wins over the reader's setting, both ways.
  const forcedDark = await openPage();
  await openChat(forcedDark);
  await forcedDark.locator('[data-advisor-widget]').evaluate((h) => h.setAttribute('data-advisor-theme', 'dark'));
  assert.ok(luminance((await look(forcedDark)).panel) < 0.05);
  await forcedDark.context().close();
  const forcedLight = await openPage({ colorScheme: 'dark' });
  await forcedLight.locator('[data-advisor-widget]').evaluate((h) => h.setAttribute('data-advisor-theme', 'light'));
  await openChat(forcedLight);
  assert.ok(luminance((await look(forcedLight)).panel) > 0.8);
  await forcedLight.context().close();

  // Every colour in widget.css is a custom property, and each one is in docs/widget.md.
  const css = readFileSync(path.join(sourceDir, 'adapters/web/assets/widget.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const declarations = css.split(/[;{}]/).map((x) => x.trim()).filter((x) => /^[a-z-]+\s*:/.test(x));
  for (const decl of declarations) {
    if (decl.startsWith('--advisor-')) continue;
    assert.doesNotMatch(decl, /#[0-9a-f]{3,8}\b|rgba?\(|hsla?\(/i, `a colour outside a custom property: ${decl}`);
  }
  const names = [...new Set(css.match(/--advisor-[a-z-]+(?=\s*:)/g))];
  const docs = readFileSync(path.join(sourceDir, 'docs/widget.md'), 'utf8');
  assert.ok(names.length >= 20);
  for (const name of names) assert.ok(docs.includes('`' + name + '`'), `${name} is documented`);
  assert.deepEqual(light.errors, []);
  await light.context().close();
});

test('the host page\'s text styles do not leak into the widget', { timeout: testTimeoutMs }, async () => {
  const hostPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Loud portal</title>
<style>
  html, body, [data-advisor-widget] { letter-spacing: 6px; word-spacing: 20px; text-transform: uppercase; font-style: italic;
    font-weight: 900; line-height: 4; text-align: right; text-indent: 50px; text-shadow: 2px 2px red; color: rgb(255, 0, 0); white-space: pre; }
</style></head><body><main><h1>Portal</h1></main>
<script src="${server.origin}/widget.js" data-advisor-url="${server.wsUrl}"></script></body></html>`;
  const site = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }); res.end(hostPage); });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  try {
    const page = await openPage({ url: `http://localhost:${site.address().port}/` });
    await openChat(page);
    const style = await page.locator('.advisor-msg-bot .advisor-md p').first().evaluate((p) => {
      const s = getComputedStyle(p);
      return { letterSpacing: s.letterSpacing, wordSpacing: s.wordSpacing, textTransform: s.textTransform, fontStyle: s.fontStyle,
        fontWeight: s.fontWeight, textAlign: s.textAlign, textIndent: s.textIndent, textShadow: s.textShadow, color: s.color, whiteSpace: s.whiteSpace,
        lineHeight: parseFloat(s.lineHeight) / parseFloat(s.fontSize) };
    });
    assert.deepEqual({ ...style, lineHeight: Math.round(style.lineHeight * 100) / 100 }, {
      letterSpacing: 'normal', wordSpacing: '0px', textTransform: 'none', fontStyle: 'normal', fontWeight: '400', textAlign: 'left',
      textIndent: '0px', textShadow: 'none', color: 'rgb(28, 34, 48)', whiteSpace: 'normal', lineHeight: 1.45,
    });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  } finally {
    site.close();
  }
});

test('a server outage shows an offline banner with Retry now and dimmed answers, then "back online"', { timeout: testTimeoutMs * 2 }, async () => {
  const page = await openPage({ fakeClock: true });
  await openChat(page);
  await answerOne(page);
  const question = await liveBotMessages(page).last().locator('.advisor-md').innerText();
  await server.stop('SIGKILL');
  const banner = page.locator('.advisor-banner');
  await banner.filter({ hasText: /offline/i }).waitFor();
  assert.ok(await banner.getByRole('button', { name: 'Retry now' }).isVisible());
  assert.equal(await page.getByRole('status').filter({ hasText: /offline/i }).count(), 1, 'announced as a status');
  // The answers look asleep.
  const option = optionButtons(page).first();
  assert.equal(await option.evaluate((b) => getComputedStyle(b).borderStyle), 'dashed');
  // The backoff is held still: back up, the server is reached only through "Retry now".
  await pauseOffline(page);
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  server = await startAdvisor({ dataDir, port: server.port });
  await banner.getByRole('button', { name: 'Retry now' }).click();
  await banner.filter({ hasText: /back online/i }).waitFor();
  assert.equal(sockets.length, 1);
  assert.equal(await option.evaluate((b) => getComputedStyle(b).borderStyle), 'solid');
  assert.equal(await liveBotMessages(page).last().locator('.advisor-md').innerText(), question);
  // The banner goes once the news is old.
  await page.clock.runFor(5000);
  await banner.waitFor({ state: 'hidden' });
  await answerOne(page);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a refused origin says so and stops retrying', { timeout: testTimeoutMs }, async () => {
  const strictDir = makeDataDir();
  const strict = await startAdvisor({ dataDir: strictDir, config: { allowed_origins: ['https://portal.example'] } });
  try {
    const page = await openPage({ url: strict.origin + '/' });
    const sockets = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.getByRole('button', { name: /open the .* chat/i }).click();
    const banner = page.locator('.advisor-banner[data-kind="refused"]');
    await banner.waitFor();
    assert.match(await banner.innerText(), /does not accept chats from this site/);
    assert.match(await page.locator('.advisor-status').innerText(), /not available/i);
    assert.equal(await page.evaluate(() => window.__advisorWidget.retrying), false);
    assert.equal(await page.locator('.advisor-input').isDisabled(), true);
    // Nothing more is tried on its own. (The one wait on a duration: it is what is tested,
    // and it is longer than the first two backoff delays.)
    const tried = sockets.length;
    assert.equal(tried, 1);
    await page.waitForTimeout(2500);
    assert.equal(sockets.length, tried);
    // "Try again" tries once, and gets the same answer.
    await banner.getByRole('button', { name: 'Try again' }).click();
    await until(() => sockets.length > tried, 'a new attempt');
    await until(() => page.evaluate(() => document.querySelector('[data-advisor-widget]').shadowRoot
      .querySelector('.advisor-status').getAttribute('data-state') === 'refused'), 'the refusal again');
    await banner.waitFor();
    assert.equal(sockets.length, tried + 1);
    assert.equal(await page.evaluate(() => window.__advisorWidget.retrying), false);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  } finally {
    await strict.stop('SIGKILL');
    removeDir(strictDir);
  }
});

test('Start over asks first; "Keep going" changes nothing', { timeout: testTimeoutMs }, async () => {
  const page = await openPage();
  await openChat(page);
  await answerOne(page);
  await answerOne(page);
  const progress = await page.locator('.advisor-progress-text').innerText();
  const users = await page.locator('.advisor-msg-user').count();
  await page.locator('.advisor-header').getByRole('button', { name: 'Start over' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Start over?' });
  await dialog.waitFor();
  assert.match((await shadowActive(page)).cls, /advisor-confirm-no/);
  await dialog.getByRole('button', { name: 'Keep going' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await page.locator('.advisor-progress-text').innerText(), progress);
  assert.equal(await page.locator('.advisor-msg-user').count(), users);
  // Escape also cancels.
  await page.locator('.advisor-header').getByRole('button', { name: 'Start over' }).click();
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.ok(await page.locator('.advisor-panel').isVisible());
  // Confirmed: back to the first question.
  await page.locator('.advisor-header').getByRole('button', { name: 'Start over' }).click();
  await dialog.getByRole('button', { name: 'Clear my answers' }).click();
  await page.locator('.advisor-progress-text', { hasText: /^Step 1 of/ }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the recommendation card is scannable: choice, confidence, three reasons, the rest expandable', { timeout: testTimeoutMs }, async () => {
  const page = await openPage();
  await openChat(page);
  await answerUntilCard(page);
  const card = page.locator('.advisor-card');
  await card.evaluate((c) => c.scrollIntoView({ block: 'start' }));
  // It fits in the conversation area: no scrolling to see choice, confidence and reasons.
  const { cardHeight, logHeight } = await card.evaluate((c) => ({ cardHeight: c.offsetHeight, logHeight: c.closest('.advisor-log').clientHeight }));
  assert.ok(cardHeight <= logHeight, `card ${cardHeight}px within the ${logHeight}px log`);
  assert.match(await card.locator('.advisor-card-choice').innerText(), /Python|Node\.js/);
  assert.match(await card.locator('.advisor-confidence-text').innerText(), /^\d{1,3}% confidence$/);
  const top = card.locator(':scope > .advisor-reasons > .advisor-reason');
  // Each top reason is its headline: what was answered and the points it moved.
  assert.match(await top.first().locator('.advisor-reason-head').innerText(), /\((Python|Node\.js|both)[^)]*\)|\S/);
  const shown = await top.count();
  assert.ok(shown >= 1 && shown <= 3);
  for (let i = 0; i < shown; i++) assert.ok(await top.nth(i).isVisible());
  const more = card.locator('details.advisor-card-more');
  assert.equal(await more.evaluate((d) => d.open), false);
  assert.equal(await card.locator('.advisor-next-steps').isVisible(), false);
  await page.screenshot({ path: path.join(screenshots, 'widget-light.png') });
  await more.locator('summary').click();
  assert.ok(await card.locator('.advisor-next-steps').isVisible());
  assert.match(await more.locator('summary').innerText(), /^More: .*next steps/);
  // Sources are named under each reason. No source article has a known address
  // (config/knowledge.json), so none is a link, and nothing else becomes one.
  assert.match(await top.first().locator('.advisor-sources').innerText(), /^Sources?: \S/);
  assert.equal(await card.locator('.advisor-sources a').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a source with a known address is a link with a safe href on the card, and axe-core finds no violation', { timeout: testTimeoutMs * 2 }, async () => {
  // The shipped knowledge with a test address on every source (the real articles have none):
  // a second server loads it through the knowledge_file setting.
  const linkedDir = makeDataDir();
  const knowledge = JSON.parse(readFileSync(path.join(sourceDir, 'config/knowledge.json'), 'utf8'));
  for (const s of knowledge.sources) s.url = `https://articles.example/${s.id}?from=advisor&x=1`;
  const knowledgeFile = path.join(linkedDir, 'knowledge-with-urls.json');
  writeFileSync(knowledgeFile, JSON.stringify(knowledge));
  const linked = await startAdvisor({ dataDir: linkedDir, config: { knowledge_file: knowledgeFile } });
  try {
    for (const colorScheme of ['light', 'dark']) {
      const page = await openPage({ url: linked.origin + '/', colorScheme });
      await openChat(page);
      await answerUntilCard(page);
      const card = page.locator('.advisor-card');
      const top = card.locator(':scope > .advisor-reasons > .advisor-reason');
      const links = top.first().locator('.advisor-sources a');
      assert.ok(await links.count() >= 1, 'the top reason\'s sources are links');
      await card.locator('.advisor-card-more > summary').click();
      const all = card.locator('.advisor-sources a');
      const hrefs = await all.evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent, target: a.target, rel: a.rel })));
      const titles = new Map(knowledge.sources.map((s) => [s.title, s.url]));
      for (const a of hrefs) {
        assert.match(a.href, /^https:\/\/articles\.example\/[a-z-]+\?from=advisor&x=1$/);
        assert.equal(a.href, titles.get(a.text), `${a.text} links to its own article`);
        assert.equal(a.target, '_blank');
        assert.match(a.rel, /noopener/);
      }
      assert.deepEqual(await axeViolations(page), [], `${colorScheme}: the card with linked sources`);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    }
  } finally {
    await linked.stop('SIGKILL');
    removeDir(linkedDir);
  }
});

test('the files are cached (ETag, 304) and compressed (gzip); there is a favicon', { timeout: testTimeoutMs }, async () => {
  const page = await openPage();
  // What the browser got (it asks for gzip).
  const headers = await page.evaluate(async () => {
    const r = await fetch('/widget.js', { cache: 'no-store' });
    return { etag: r.headers.get('etag'), vary: r.headers.get('vary'), cache: r.headers.get('cache-control') };
  });
  assert.match(headers.etag, /^"[0-9a-f]{32}-gz"$/);
  assert.equal(headers.cache, 'no-cache');
  const req = page.context().request;
  for (const file of ['/widget.js', '/widget.css', '/', '/favicon.svg']) {
    const zipped = await req.get(server.origin + file, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(zipped.status(), 200);
    assert.equal(zipped.headers()['content-encoding'], 'gzip', file);
    const plain = await req.get(server.origin + file, { headers: { 'Accept-Encoding': 'identity' } });
    assert.equal(plain.headers()['content-encoding'], undefined);
    assert.ok(Number(zipped.headers()['content-length']) < Number(plain.headers()['content-length']));
    const again = await req.get(server.origin + file, { headers: { 'If-None-Match': plain.headers().etag } });
    assert.equal(again.status(), 304, file);
  }
  assert.equal(await page.locator('link[rel="icon"]').getAttribute('href'), '/favicon.svg');
  const icon = await req.get(server.origin + '/favicon.ico');
  assert.equal(icon.headers()['content-type'], 'image/svg+xml');
  await page.context().close();
});

for (const scheme of ['light', 'dark']) {
  test(`axe-core finds no WCAG A/AA violation, ${scheme}`, { timeout: testTimeoutMs * 2 }, async () => {
    const page = await openPage({ colorScheme: scheme, fakeClock: true });
    const check = async (what) => assert.deepEqual(await axeViolations(page), [], `${scheme}: ${what}`);
    await check('page with the launcher');
    await openChat(page);
    await check('the first question');
    await page.locator('.advisor-header').getByRole('button', { name: 'Start over' }).click();
    await page.getByRole('alertdialog').waitFor();
    await check('the start-over confirmation');
    await page.getByRole('button', { name: 'Keep going' }).click();
    await answerUntilCard(page);
    await page.locator('.advisor-card-more > summary').click();
    await check('the recommendation card, expanded');
    await page.reload();
    await page.locator('.advisor-divider').waitFor();
    await check('the conversation restored after a reload');
    await server.stop('SIGKILL');
    await page.locator('.advisor-banner', { hasText: /offline/i }).waitFor();
    await page.locator('.advisor-banner', { hasText: /offline/i }).waitFor();
    await check('the offline banner');
    await pauseOffline(page);
    server = await startAdvisor({ dataDir, port: server.port });
    await page.locator('.advisor-banner').getByRole('button', { name: 'Retry now' }).click();
    await page.locator('.advisor-banner', { hasText: /back online/i }).waitFor();
    // axe-core runs on timers of its own: time flows again (the banner stays a few seconds).
    await page.clock.resume();
    await check('back online');
    if (scheme === 'light') {
      await page.setViewportSize({ width: 375, height: 700 });
      await page.locator('.advisor-divider').evaluate((d) => d.scrollIntoView({ block: 'center' }));
      await page.screenshot({ path: path.join(screenshots, 'widget-phone.png') });
    }
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
