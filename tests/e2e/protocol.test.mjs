// The WebSocket protocol of `advisor serve`, spoken by the `ws` package from npm against the
// real binary on a loopback port: a whole conversation, resume, bad input, graceful stop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAdvisor, makeDataDir, removeDir, Client, pickOption } from './advisor.mjs';

const maxTurns = 40;
let server;
let dataDir;

before(async () => {
  dataDir = makeDataDir();
  server = await startAdvisor({ dataDir });
});

after(async () => {
  if (server) await server.stop('SIGKILL');
  removeDir(dataDir);
});

function assertReply(r) {
  assert.equal(r.type, 'reply', `expected a reply, got ${JSON.stringify(r)}`);
  assert.equal(typeof r.text, 'string');
  assert.ok(r.text.length > 0, 'a reply has text');
  assert.ok(Array.isArray(r.options));
  for (const o of r.options) {
    assert.equal(typeof o.id, 'string');
    assert.equal(typeof o.label, 'string');
  }
  assert.equal(typeof r.progress.step, 'number');
  assert.equal(typeof r.progress.total, 'number');
  assert.ok(r.progress.step >= 1 && r.progress.step <= r.progress.total, `progress ${JSON.stringify(r.progress)}`);
  assert.equal(typeof r.question, 'string');
  assert.equal(typeof r.finished, 'boolean');
}

async function startNew(client) {
  const session = await client.ask({ type: 'start' });
  assert.equal(session.type, 'session');
  assert.equal(session.resumed, false);
  assert.match(session.session, /^[A-Za-z0-9_-]{16,}$/);
  assert.ok(Array.isArray(session.frameworks) && session.frameworks.length >= 1);
  const first = await client.next();
  assertReply(first);
  assert.equal(first.finished, false);
  assert.ok(first.options.length >= 2, 'the first question offers options');
  return { token: session.session, reply: first };
}

test('a whole conversation by choosing options ends in a recommendation', async () => {
  const client = await Client.open(server.wsUrl);
  let { reply } = await startNew(client);
  const asked = [];
  for (let turn = 0; turn < maxTurns && !reply.finished; turn++) {
    asked.push(reply.question);
    const option = pickOption(reply);
    assert.ok(option, `question ${reply.question} has an option to choose`);
    reply = await client.ask({ type: 'choose', option: option.id, question: reply.question });
    assertReply(reply);
  }
  assert.ok(reply.finished, `finished within ${maxTurns} turns; asked ${asked.join(', ')}`);
  assert.ok(asked.includes('review'), 'the answers were reviewed before the recommendation');
  assert.equal(new Set(asked).size, asked.length, 'no question was asked twice');

  const rec = reply.recommendation;
  assert.ok(rec, 'the final reply carries the recommendation');
  assert.ok(['python', 'nodejs', 'hybrid'].includes(rec.choice), rec.choice);
  assert.equal(typeof rec.choice_label, 'string');
  assert.ok(rec.choice_label.length > 0);
  assert.ok(rec.confidence > 0 && rec.confidence <= 1, `confidence ${rec.confidence}`);
  assert.equal(typeof rec.scores.python, 'number');
  assert.equal(typeof rec.scores.nodejs, 'number');
  assert.ok(rec.reasons.length > 0, 'there are reasons');
  for (const r of rec.reasons) {
    assert.equal(typeof r.text, 'string');
    assert.ok(Array.isArray(r.sources));
  }
  assert.ok(rec.reasons.some((r) => r.sources.length > 0), 'at least one reason names its source');
  assert.ok(Array.isArray(rec.contested));
  for (const c of rec.contested) {
    assert.equal(typeof c.summary, 'string');
    assert.ok(c.sides.length >= 2, 'a contested point has both sides');
  }
  assert.ok(rec.next_steps.length > 0, 'there are next steps');
  assert.ok(Array.isArray(rec.unknowns));
  assert.deepEqual(reply.options.map((o) => o.id), ['why', 'summary', 'restart']);

  // The decision record is Markdown naming the choice.
  const summary = await client.ask({ type: 'choose', option: 'summary', question: reply.question });
  assertReply(summary);
  assert.match(summary.text, /^# /m);
  assert.ok(summary.text.includes(rec.choice_label), 'the record names the choice');
  await client.close();
});

test('a second socket resumes the conversation at the same question', async () => {
  const first = await Client.open(server.wsUrl);
  let { token, reply } = await startNew(first);
  for (let i = 0; i < 2; i++) {
    reply = await first.ask({ type: 'choose', option: pickOption(reply).id, question: reply.question });
    assertReply(reply);
  }
  await first.close();

  const second = await Client.open(server.wsUrl);
  const session = await second.ask({ type: 'start', session: token });
  assert.equal(session.type, 'session');
  assert.equal(session.resumed, true);
  assert.equal(session.session, token);
  const resumed = await second.next();
  assertReply(resumed);
  assert.equal(resumed.question, reply.question);
  assert.deepEqual(resumed.progress, reply.progress);
  assert.deepEqual(resumed.options, reply.options);
  // And it goes on from there.
  const next = await second.ask({ type: 'choose', option: pickOption(resumed).id, question: resumed.question });
  assertReply(next);
  assert.notEqual(next.question, resumed.question);
  await second.close();
});

test('a resume with "history": true brings every earlier message, in order, with times', async () => {
  const first = await Client.open(server.wsUrl);
  let { token, reply } = await startNew(first);
  const said = [['advisor', reply.text]];
  for (let i = 0; i < 3; i++) {
    const option = pickOption(reply);
    reply = await first.ask({ type: 'choose', option: option.id, question: reply.question });
    assertReply(reply);
    said.push(['user', option.label], ['advisor', reply.text]);
  }
  await first.close();

  const second = await Client.open(server.wsUrl);
  assert.equal((await second.ask({ type: 'start', session: token, history: true })).resumed, true);
  const resumed = await second.next();
  assertReply(resumed);
  assert.equal(resumed.question, reply.question);
  assert.deepEqual(resumed.history.map((m) => [m.from, m.text]), said);
  assert.equal(resumed.history[0].at, undefined, 'the greeting has no stored time');
  for (const m of resumed.history.slice(1)) assert.ok(Math.abs(Date.parse(m.at) - Date.now()) < 10 * 60 * 1000, m.at);
  // Without it, nothing of the past.
  const third = await Client.open(server.wsUrl);
  await third.ask({ type: 'start', session: token });
  assert.equal((await third.next()).history, undefined);
  await second.close();
  await third.close();
});

test('a double click on a stale button is refused, not answered twice', async () => {
  const client = await Client.open(server.wsUrl);
  const { reply } = await startNew(client);
  const option = pickOption(reply);
  const answered = await client.ask({ type: 'choose', option: option.id, question: reply.question });
  assertReply(answered);
  const stale = await client.ask({ type: 'choose', option: option.id, question: reply.question });
  assert.equal(stale.type, 'error');
  assert.equal(stale.code, 'stale_option');
  const current = await client.next();
  assertReply(current);
  assert.equal(current.question, answered.question, 'the state did not move');
  assert.deepEqual(current.progress, answered.progress);
  await client.close();
});

test('bad input gets error frames and the socket stays open', async () => {
  const client = await Client.open(server.wsUrl);
  const expectError = async (frame, code) => {
    const e = await client.ask(frame);
    assert.equal(e.type, 'error', `${JSON.stringify(frame)} -> ${JSON.stringify(e)}`);
    assert.equal(e.code, code);
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 0);
  };
  await expectError('{not json', 'invalid_json');
  await expectError('[1,2,3]', 'invalid_json');
  await expectError({ type: 'teleport' }, 'unknown_type');
  await expectError({ text: 'no type' }, 'unknown_type');
  await expectError({ type: 'choose', option: 'startup', question: 'context' }, 'bad_session');
  await expectError({ type: 'start', session: 'no-such-session-token-0000' }, 'bad_session');
  await expectError({ type: 'start', framework: 'no-such-framework' }, 'unknown_framework');
  await expectError({ type: 'message', text: 42 }, 'invalid_message');

  const { reply } = await startNew(client);
  await expectError({ type: 'choose', option: 'no-such-option', question: reply.question }, 'unknown_option');
  // The conversation did not move, and a valid message still works on the same socket.
  const answered = await client.ask({ type: 'choose', option: pickOption(reply).id, question: reply.question });
  assertReply(answered);
  assert.notEqual(answered.question, reply.question);

  // An answer that matches nothing is a re-prompt that does not move the state.
  const reprompt = await client.ask({ type: 'message', text: 'zzzz qqqq' });
  assertReply(reprompt);
  assert.equal(reprompt.question, answered.question);
  assert.deepEqual(reprompt.progress, answered.progress);
  assert.equal(client.ws.readyState, client.ws.OPEN);
  await client.close();
});

test('a frame over 64 KiB closes the socket with 1009, and the server goes on', async () => {
  const client = await Client.open(server.wsUrl);
  client.send({ type: 'message', text: 'x'.repeat(70 * 1024) });
  const { code } = await client.closed;
  assert.equal(code, 1009);
  const again = await Client.open(server.wsUrl);
  await startNew(again);
  await again.close();
});

test('the widget and its demo page are served', async () => {
  for (const [p, type, marker] of [
    ['/', 'text/html', '/widget.js'],
    ['/widget.js', 'javascript', 'advisor-session'],
    ['/widget.css', 'text/css', '.advisor-panel'],
  ]) {
    const res = await fetch(server.origin + p);
    assert.equal(res.status, 200, p);
    assert.match(res.headers.get('content-type'), new RegExp(type), p);
    assert.ok((await res.text()).includes(marker), `${p} holds ${marker}`);
  }
  const health = await fetch(server.origin + '/healthz');
  assert.equal(health.status, 200);
  assert.equal((await health.json()).status, 'ok');
});

test('SIGTERM closes open sockets with 1001 and exits 0', async () => {
  const client = await Client.open(server.wsUrl);
  await startNew(client);
  const result = await server.stop('SIGTERM');
  assert.deepEqual(result, { code: 0, signal: null });
  const { code } = await client.closed;
  assert.equal(code, 1001);
  server = null;
});
