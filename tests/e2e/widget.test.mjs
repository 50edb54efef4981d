// The chat widget in real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core) against the real `advisor serve`: what a user sees and does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startAdvisor, makeDataDir, removeDir } from './advisor.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, 'artifacts');
const maxTurns = 40;
const testTimeoutMs = 120000;
const uiTimeoutMs = 20000;
// The widget backs off up to 10 s between attempts; allow a few of them.
const reconnectTimeoutMs = 45000;

let server;
let dataDir;
let browser;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
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

// A fresh browser profile (its own localStorage) showing the demo page, with errors collected.
async function openPage(viewport = { width: 1100, height: 800 }, url = server.origin + '/', init = null) {
  const context = await browser.newContext({ viewport });
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
const userMessages = (page) => page.locator('.advisor-msg-user');
const optionButtons = (page) => page.locator('.advisor-options button');

async function openChat(page) {
  const launcher = page.getByRole('button', { name: /open the .* chat/i });
  if (await page.locator('.advisor-panel').isHidden()) await launcher.click();
  await page.locator('.advisor-panel').waitFor({ state: 'visible' });
  await optionButtons(page).first().waitFor();
}

// What the user sees of the current question: the newest bot message, the progress line and
// the answer buttons.
async function currentQuestion(page) {
  await optionButtons(page).first().waitFor();
  return {
    text: (await botMessages(page).last().locator('.advisor-md').first().innerText()).trim(),
    progress: await page.locator('.advisor-progress-text').innerText(),
    options: await optionButtons(page).allInnerTexts(),
  };
}

// Clicks the answer a scripted user gives (never "Not sure"; "confirm" at the review) and
// waits for the advisor's next message.
async function answerOne(page) {
  const count = await botMessages(page).count();
  const confirm = page.locator('.advisor-options button[data-option="confirm"]');
  const button = (await confirm.count())
    ? confirm
    : page.locator('.advisor-options button:not([data-option="not_sure"])').first();
  const label = await button.innerText();
  await button.click();
  await botMessages(page).nth(count).waitFor();
  return label;
}

async function answerUntilCard(page) {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (await page.locator('.advisor-card').count()) return;
    await answerOne(page);
  }
  assert.fail(`no recommendation card after ${maxTurns} answers`);
}

async function checkCard(page) {
  const card = page.locator('.advisor-card');
  await card.waitFor();
  assert.match(await card.getAttribute('data-choice'), /^(python|nodejs|hybrid)$/);
  assert.match(await card.locator('.advisor-card-choice').innerText(), /Python|Node\.js/);
  assert.match(await card.locator('.advisor-confidence-text').innerText(), /^\d{1,3}% confidence$/);
  assert.match(await card.locator('.advisor-scores').innerText(), /Python\s+-?\d+/);
  assert.match(await card.locator('.advisor-scores').innerText(), /Node\.js\s+-?\d+/);
  const sourced = card.locator('.advisor-reason', { has: page.locator('.advisor-sources') });
  assert.ok((await sourced.count()) > 0, 'a reason shows its source');
  assert.match(await sourced.first().locator('.advisor-sources').innerText(), /^Sources?: \S/);
  assert.ok((await card.locator('.advisor-next-steps li').count()) > 0, 'next steps are listed');
  assert.deepEqual(await optionButtons(page).allInnerTexts(), ['Why this choice?', 'Decision record', 'Start over']);
}

test('a whole conversation by clicking buttons ends with the recommendation card', { timeout: testTimeoutMs }, async () => {
  const page = await openPage();
  await openChat(page);
  const first = await currentQuestion(page);
  assert.match(first.progress, /^Step 1 of about \d+$/);
  assert.ok(first.options.length >= 2);
  await answerUntilCard(page);
  await checkCard(page);
  assert.ok(await page.locator('.advisor-typing').isHidden(), 'no typing indicator once the reply is in');
  await page.locator('.advisor-card').evaluate((card) => card.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: path.join(artifacts, 'final-card.png') });

  // The decision record comes as copyable Markdown.
  await page.getByRole('button', { name: 'Decision record' }).click();
  const record = page.locator('pre.advisor-record-text');
  await record.waitFor();
  assert.match(await record.innerText(), /^# Decision record/);
  assert.ok(await page.locator('.advisor-record').getByRole('button', { name: 'Copy' }).isVisible());

  // "Start over" (after a confirmation) goes back to the first question.
  await page.getByRole('button', { name: 'Start over' }).first().click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Clear my answers' }).click();
  await page.locator('.advisor-progress-text', { hasText: /^Step 1 of/ }).waitFor();
  assert.deepEqual((await currentQuestion(page)).options, first.options);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a reload in mid-conversation resumes at the same question', { timeout: testTimeoutMs }, async () => {
  const page = await openPage();
  await openChat(page);
  for (let i = 0; i < 3; i++) await answerOne(page);
  const before = await currentQuestion(page);
  assert.match(before.progress, /^Step 4 of/);

  await page.reload();
  await openChat(page);
  const after = await currentQuestion(page);
  assert.deepEqual(after, before);
  // And the conversation goes on from there.
  await answerUntilCard(page);
  await checkCard(page);
  const choice = await page.locator('.advisor-card-choice').innerText();

  // A reload after the end shows the same recommendation again.
  await page.reload();
  await openChat(page);
  await checkCard(page);
  assert.equal(await page.locator('.advisor-card-choice').innerText(), choice);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the widget survives a server killed and restarted in mid-conversation', { timeout: testTimeoutMs * 2 }, async () => {
  const page = await openPage();
  await openChat(page);
  for (let i = 0; i < 2; i++) await answerOne(page);
  const before = await currentQuestion(page);
  const status = page.locator('.advisor-status');

  // Killed hard: the widget says it is offline, then reconnects by itself and shows the
  // same question.
  assert.deepEqual(await server.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
  await page.locator('.advisor-status:not([data-state="online"])').waitFor();
  assert.match(await status.innerText(), /offline|reconnecting/i);
  server = await startAdvisor({ dataDir, port: server.port });
  await page.locator('.advisor-status[data-state="online"]').waitFor({ timeout: reconnectTimeoutMs });
  assert.deepEqual(await currentQuestion(page), before);

  // Killed again, and this time the user answers while it is down: the answer waits and is
  // sent once the connection is back.
  const count = await botMessages(page).count();
  await server.stop('SIGKILL');
  await page.locator('.advisor-status:not([data-state="online"])').waitFor();
  const label = await page.locator('.advisor-options button:not([data-option="not_sure"])').first().innerText();
  await page.locator('.advisor-options button:not([data-option="not_sure"])').first().click();
  await page.locator('.advisor-notice', { hasText: /offline/i }).waitFor();
  assert.equal(await userMessages(page).last().innerText(), label);
  server = await startAdvisor({ dataDir, port: server.port });
  await botMessages(page).nth(count).waitFor({ timeout: reconnectTimeoutMs });
  const next = await currentQuestion(page);
  assert.notEqual(next.text, before.text);
  assert.notEqual(next.progress, before.progress);

  await answerUntilCard(page);
  await checkCard(page);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('on a 375 px wide screen the panel fills the screen and stays usable', { timeout: testTimeoutMs }, async () => {
  const viewport = { width: 375, height: 700 };
  const page = await openPage(viewport);
  await openChat(page);
  const box = await page.locator('.advisor-panel').boundingBox();
  assert.ok(box.x >= 0 && box.y >= 0, `panel at ${JSON.stringify(box)}`);
  assert.ok(box.x + box.width <= viewport.width && box.y + box.height <= viewport.height, `panel ${JSON.stringify(box)} fits`);
  assert.ok(box.width >= viewport.width - 1, 'the panel takes the full width');
  const fits = async (locator) => {
    const b = await locator.boundingBox();
    assert.ok(b && b.x >= 0 && b.x + b.width <= viewport.width, `${JSON.stringify(b)} is within the screen`);
  };
  await fits(optionButtons(page).first());
  await fits(page.locator('.advisor-input'));
  await fits(page.getByRole('button', { name: 'Send' }));
  await answerUntilCard(page);
  await checkCard(page);
  await fits(page.locator('.advisor-card'));
  const overflow = await page.locator('.advisor-log').evaluate((log) => log.scrollWidth - log.clientWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow} px)`);
  await page.screenshot({ path: path.join(artifacts, 'phone-card.png') });
  await page.context().close();
});

test('the keyboard alone opens the chat, answers, and closes it', { timeout: testTimeoutMs }, async () => {
  const page = await openPage();
  const activeOption = () => page.evaluate(() => {
    const el = document.querySelector('[data-advisor-widget]').shadowRoot.activeElement;
    return el ? { option: el.getAttribute('data-option'), text: el.textContent } : null;
  });
  const launcher = page.getByRole('button', { name: /open the .* chat/i });
  await launcher.focus();
  await page.keyboard.press('Enter');
  await optionButtons(page).first().waitFor();
  // Focus moves to the question's first answer.
  await page.waitForFunction(() => document.querySelector('[data-advisor-widget]').shadowRoot.activeElement?.classList.contains('advisor-option'));
  const options = await optionButtons(page).allInnerTexts();
  assert.equal((await activeOption()).text, options[0]);
  await page.keyboard.press('Tab');
  assert.equal((await activeOption()).text, options[1]);
  const count = await botMessages(page).count();
  await page.keyboard.press('Enter');
  await botMessages(page).nth(count).waitFor();
  assert.equal(await userMessages(page).last().innerText(), options[1]);
  assert.match(await page.locator('.advisor-progress-text').innerText(), /^Step 2 of/);

  // Typing an answer and pressing Enter works too.
  const next = await currentQuestion(page);
  await page.locator('.advisor-input').focus();
  await page.keyboard.type(next.options[0]);
  await page.keyboard.press('Enter');
  await botMessages(page).nth(count + 1).waitFor();
  assert.equal(await userMessages(page).last().innerText(), next.options[0]);
  assert.match(await page.locator('.advisor-progress-text').innerText(), /^Step 3 of/);

  // Escape closes the panel and gives focus back to the launcher.
  await page.keyboard.press('Escape');
  await page.locator('.advisor-panel').waitFor({ state: 'hidden' });
  assert.ok(await launcher.evaluate((el) => el.getRootNode().activeElement === el));
  await page.context().close();
});

test('HTML in a message is shown as text, never as markup', { timeout: testTimeoutMs }, async () => {
  const page = await openPage();
  await openChat(page);
  const attack = '<img src=x onerror="window.__advisorXss=1"><script>window.__advisorXss=2</script>';
  const count = await botMessages(page).count();
  await page.locator('.advisor-input').fill(attack);
  await page.locator('.advisor-input').press('Enter');
  await botMessages(page).nth(count).waitFor();
  // The advisor echoes it in its "couldn't match" re-prompt; both bubbles show it as text.
  assert.ok((await botMessages(page).last().innerText()).includes('<img src=x onerror='), 'the echo shows the text');
  assert.equal(await userMessages(page).last().innerText(), attack);
  assert.equal(await page.locator('.advisor-root img').count(), 0, 'no image element was created');
  assert.equal(await page.locator('.advisor-root script').count(), 0, 'no script element was created');
  assert.equal(await page.evaluate(() => window.__advisorXss), undefined);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a masked link, a bare URL and markdown the user typed come back as text, never as a link', { timeout: testTimeoutMs }, async () => {
  const page = await openPage();
  await openChat(page);
  const attack = '[click me](https://evil.example/x) https://evil.example/bare **bold** `code` _it_ @everyone';
  const count = await botMessages(page).count();
  await page.locator('.advisor-input').fill(attack);
  await page.locator('.advisor-input').press('Enter');
  await botMessages(page).nth(count).waitFor();
  const echo = botMessages(page).last();
  // The re-prompt quotes the words as typed, with no element made from them.
  assert.ok((await echo.innerText()).includes(attack), 'the echo shows the words as typed');
  assert.equal(await echo.locator('a').count(), 0, 'no link in the echo');
  assert.equal(await echo.locator('strong').count(), 0, 'no bold from the user');
  assert.equal(await echo.locator('em').count(), 0, 'no emphasis from the user');
  // The advisor's own code spans (`skip`, `help`) are still code.
  assert.ok(await echo.locator('code').count() >= 1);
  assert.ok(!(await echo.locator('code').allInnerTexts()).some((t) => t.includes('code')));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an unknown session token in localStorage starts a new conversation quietly', { timeout: testTimeoutMs }, async () => {
  const stale = 'ffffffffffffffffffffffffffffffff';
  const page = await openPage(undefined, undefined, `localStorage.setItem('advisor-session', '${stale}')`);
  await openChat(page);
  const first = await currentQuestion(page);
  assert.match(first.progress, /^Step 1 of/);
  assert.equal(await page.locator('.advisor-notice-error').count(), 0, 'no error shown to the user');
  const token = await page.evaluate(() => localStorage.getItem('advisor-session'));
  assert.ok(token && token !== stale, 'a new session token was stored');
  await answerOne(page);
  assert.match(await page.locator('.advisor-progress-text').innerText(), /^Step 2 of/);
  await page.context().close();
});

test('embedded with one script tag on another site, its styles unaffected by the page', { timeout: testTimeoutMs }, async () => {
  // A host page on a different origin, with CSS that would wreck an unisolated widget.
  const hostPage = `<!doctype html><html><head><meta charset="utf-8"><title>Team portal</title>
<style>
  * { font-family: serif !important; font-size: 30px !important; box-sizing: content-box !important; }
  button { background: rgb(255, 0, 0) !important; color: rgb(255, 255, 0) !important; padding: 40px !important; }
  .advisor-panel, .advisor-launcher, .advisor-option { display: none !important; }
  p { margin: 100px !important; }
</style></head>
<body><h1>Team portal</h1><p>Our docs.</p><button id="own">The page's own button</button>
<script src="${server.origin}/widget.js" data-advisor-url="${server.wsUrl}" data-advisor-title="Portal advisor"></script>
</body></html>`;
  const site = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(hostPage);
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  try {
    const page = await openPage(undefined, `http://localhost:${site.address().port}/`);
    const launcher = page.getByRole('button', { name: /open the portal advisor chat/i });
    await launcher.waitFor();
    const look = await launcher.evaluate((el) => {
      const s = getComputedStyle(el);
      return { background: s.backgroundColor, fontSize: s.fontSize, position: s.position };
    });
    assert.notEqual(look.background, 'rgb(255, 0, 0)');
    assert.notEqual(look.fontSize, '30px');
    assert.equal(look.position, 'fixed');
    await launcher.click();
    await page.getByRole('dialog', { name: 'Portal advisor' }).waitFor();
    const first = await currentQuestion(page);
    assert.match(first.progress, /^Step 1 of/);
    await answerOne(page);
    assert.match(await page.locator('.advisor-progress-text').innerText(), /^Step 2 of/);
    // The page's own button keeps the page's style.
    assert.equal(await page.locator('#own').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(255, 0, 0)');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  } finally {
    site.close();
  }
});
