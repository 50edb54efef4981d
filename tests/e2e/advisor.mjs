// Starts and stops the real `advisor serve` for the protocol and browser tests, and a small
// promise-based WebSocket client. Loopback only; every wait is bounded.
//
//   ADVISOR_BINARY      the advisor executable (CTest sets it; default: build/test/bot/advisor)
//   ADVISOR_E2E_CONFIG  optional config file passed as --config (e.g. another knowledge file)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = path.resolve(here, '../..');
export const binary = process.env.ADVISOR_BINARY || path.join(sourceDir, 'build/test/bot/advisor');
export const startTimeoutMs = 20000;
export const frameTimeoutMs = 15000;

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function makeDataDir() {
  return mkdtempSync(path.join(tmpdir(), 'advisor-e2e-'));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// Runs `advisor serve --host 127.0.0.1 --port PORT --data-dir DIR` and resolves once it prints
// "listening on http://HOST:PORT". port 0 lets the kernel choose; pass the port it got to
// start again on the same one.
// `config` (optional): settings written to a config file in dataDir and passed as --config.
export async function startAdvisor({ dataDir, port = 0, config = null } = {}) {
  if (!existsSync(binary)) throw new Error(`advisor binary not found at ${binary}; set ADVISOR_BINARY`);
  const args = [];
  if (config) {
    const file = path.join(dataDir, 'e2e-config.json');
    writeFileSync(file, JSON.stringify(config));
    args.push('--config', file);
  } else if (process.env.ADVISOR_E2E_CONFIG) args.push('--config', process.env.ADVISOR_E2E_CONFIG);
  args.push('--data-dir', dataDir, 'serve', '--host', '127.0.0.1', '--port', String(port));
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ADVISOR_LOG_LEVEL: 'warn' } });
  running.add(child);
  let output = '';
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`advisor did not say "listening on" within ${startTimeoutMs} ms:\n${output}`));
    }, startTimeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const m = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`advisor exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  });
  const url = new URL(origin);
  return {
    child,
    origin,
    port: Number(url.port),
    wsUrl: `ws://${url.host}/ws`,
    exited,
    output: () => output,
    // Sends `signal` and resolves with {code, signal} once the process has gone (bounded).
    async stop(signal = 'SIGTERM', timeoutMs = 15000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

// A WebSocket client whose incoming frames are read in order with next().
export class Client {
  static async open(wsUrl, options = {}) {
    const c = new Client(new WebSocket(wsUrl, options));
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`could not connect to ${wsUrl}`)), frameTimeoutMs);
      c.ws.once('open', () => { clearTimeout(timer); resolve(); });
      c.ws.once('error', (e) => { clearTimeout(timer); reject(e); });
    });
    return c;
  }

  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? { binary: data } : JSON.parse(String(data));
      const w = this.waiters.shift();
      if (w) w(frame);
      else this.frames.push(frame);
    });
    ws.on('error', () => {});
  }

  next(timeoutMs = frameTimeoutMs) {
    if (this.frames.length) return Promise.resolve(this.frames.shift());
    return new Promise((resolve, reject) => {
      const waiter = (f) => { clearTimeout(timer); resolve(f); };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  send(obj) {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  // Sends and returns the next frame.
  async ask(obj) {
    this.send(obj);
    return this.next();
  }

  close() {
    this.ws.close();
    return this.closed;
  }
}

// The answer a scripted user gives: a real answer (never "not sure"), confirming at review.
export function pickOption(reply) {
  if (reply.question === 'review') return reply.options.find((o) => o.id === 'confirm');
  return reply.options.find((o) => o.id !== 'not_sure');
}
