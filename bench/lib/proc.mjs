// Process, port and HTTP helpers shared by the benchmark sections. Every child process and temp dir
// is registered with a Scope, and `scope.close()` ends/removes them in reverse order, so a failing
// section never leaves a server or a dyno behind.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `fn` until it returns a value other than undefined/false, or throws after `ms`. */
export async function waitFor(what, fn, ms, everyMs = 50) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(everyMs);
  }
}

/** One GET without keep-alive; resolves { status, body, headers }. Never rejects on HTTP errors. */
export function httpGet(url, { host, headers = {}, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'GET', agent: false,
      headers: { ...(host ? { host } : {}), ...headers }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Runs a command to completion (argument array, no shell); resolves { code, output, ms }. */
export function run(file, args, { cwd, env, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(file, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d) => { output += d.toString('utf8'); if (output.length > 200_000) output = output.slice(-200_000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => { output += String(err); });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output, ms: performance.now() - t0 });
    });
  });
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

export function waitExit(child, ms) {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { child.off('exit', onExit); resolve(false); }, ms);
    const onExit = () => { clearTimeout(timer); resolve(true); };
    child.once('exit', onExit);
  });
}

/** Owns child processes and temp dirs; close() stops/removes them in reverse order. */
export function createScope() {
  const cleanups = [];
  return {
    /** Spawns a long-lived child; its output is kept (last 256 KB) for error messages. */
    spawn(file, args, opts = {}) {
      // Each child leads its own process group, so stop() can also end what it started (a shell's
      // grandchildren would otherwise outlive it and hold our pipes open).
      const { ipc, stopSignal = 'SIGTERM', ...rest } = opts;
      const child = spawn(file, args, { stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'], detached: true, ...rest });
      let out = '';
      const keep = (d) => { out += d.toString('utf8'); if (out.length > 262_144) out = out.slice(-262_144); };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      child.on('error', (err) => { out += `\nspawn error: ${err.message}`; });
      child.output = () => out;
      const group = (signal) => {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // the group is gone already
        }
      };
      child.stop = async (graceMs = 10_000) => {
        if (child.pid === undefined) return;
        if (!exited(child)) {
          child.kill(stopSignal);
          if (!(await waitExit(child, graceMs))) {
            child.kill('SIGKILL');
            await waitExit(child, 5000);
          }
        }
        group('SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
        if (child.connected) child.disconnect();
      };
      cleanups.push(() => child.stop());
      return child;
    },
    async tmpdir(prefix) {
      const dir = await mkdtemp(path.join(os.tmpdir(), `slipway-bench-${prefix}-`));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return dir;
    },
    defer(fn) {
      cleanups.push(fn);
    },
    async close() {
      for (const fn of cleanups.splice(0).reverse()) {
        try {
          await fn();
        } catch {
          // best effort: keep cleaning the rest
        }
      }
    },
  };
}

/** Waits for a child started with an IPC channel to send `{ type: 'ready', … }`. */
export function readyMessage(child, what, ms = 30_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} not ready in ${ms} ms:\n${child.output()}`)), ms);
    const onMessage = (m) => {
      if (m && (m.type === 'ready' || m.type === 'listening')) { clearTimeout(timer); child.off('message', onMessage); resolve(m); }
    };
    child.on('message', onMessage);
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`${what} exited (${code ?? signal}):\n${child.output()}`)); });
  });
}
