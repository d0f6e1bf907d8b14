/**
 * Host tools spawned from worker threads, not from the event loop. Node's `spawn` is synchronous
 * until the child has exec'd (libuv forks, then waits on a pipe for the exec): measured at 25 ms
 * a spawn on a busy 2-core host, 50 ms with a 200 MB heap, during which the platform answers no
 * request, tails no log and starts no other dyno. A dyno start runs ~7 tools (ip, iptables-restore,
 * mount, runc) and ten at once ran 70 of them one after the other on the main thread. Here each
 * spawn blocks only a worker, a few run at once, and the main thread gets the output by message.
 * The workers are made on first use and never hold the process open while idle.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface ExecRequest {
  cmd: string;
  args: readonly string[];
  input?: string;
  timeoutMs?: number;
  /** Bytes of stdout and of stderr kept (the rest is read and dropped). */
  maxCapture: number;
}

export interface ExecReply {
  stdout: string;
  stderr: string;
  code: number | null;
}

export interface ExecPool {
  run(req: ExecRequest): Promise<ExecReply>;
  /** Ends the workers (pending runs are rejected); the next run makes new ones. */
  close(): Promise<void>;
}

// Plain CommonJS (an `eval` worker): no file to find next to this one, compiled or under tsx.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { spawn } = require('node:child_process');
parentPort.on('message', ({ id, cmd, args, input, timeoutMs, maxCapture }) => {
  let child;
  try {
    child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  } catch (err) {
    parentPort.postMessage({ id, error: { message: String(err && err.message), code: err && err.code } });
    return;
  }
  let stdout = '';
  let stderr = '';
  let failed = false;
  child.stdout.on('data', (d) => { if (stdout.length < maxCapture) stdout += d.toString('utf8'); });
  child.stderr.on('data', (d) => { if (stderr.length < maxCapture) stderr += d.toString('utf8'); });
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  child.on('error', (err) => {
    failed = true;
    clearTimeout(timer);
    parentPort.postMessage({ id, error: { message: String(err.message), code: err.code } });
  });
  child.on('close', (code) => {
    clearTimeout(timer);
    if (!failed) parentPort.postMessage({ id, stdout, stderr, code });
  });
  if (input !== undefined) {
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  }
});
`;

interface Slot {
  worker: Worker;
  inflight: number;
  jobs: Map<number, { resolve: (r: ExecReply) => void; reject: (e: Error) => void }>;
}

type Reply = { id: number; stdout: string; stderr: string; code: number | null } | { id: number; error: { message: string; code?: string } };

export function createExecPool(size = Math.min(4, Math.max(2, availableParallelism()))): ExecPool {
  const slots: Slot[] = [];
  let nextId = 1;

  const failAll = (slot: Slot, err: Error) => {
    for (const job of slot.jobs.values()) job.reject(err);
    slot.jobs.clear();
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
  };

  const makeSlot = (): Slot => {
    // No inherited flags (`--input-type=module` would make the source ESM; it needs none of them).
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.unref();
    const slot: Slot = { worker, inflight: 0, jobs: new Map() };
    worker.on('message', (m: Reply) => {
      const job = slot.jobs.get(m.id);
      if (!job) return;
      slot.jobs.delete(m.id);
      if (--slot.inflight === 0) worker.unref();
      if ('error' in m) job.reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
      else job.resolve({ stdout: m.stdout, stderr: m.stderr, code: m.code });
    });
    worker.on('error', (err) => failAll(slot, err));
    worker.on('exit', (code) => failAll(slot, new Error(`the exec worker exited (${code})`)));
    slots.push(slot);
    return slot;
  };

  /** The least busy worker; a new one while there are fewer than `size` and all are busy. */
  const pick = (): Slot => {
    let best: Slot | undefined;
    for (const s of slots) if (!best || s.inflight < best.inflight) best = s;
    if (!best || (best.inflight > 0 && slots.length < size)) return makeSlot();
    return best;
  };

  return {
    run(req) {
      const slot = pick();
      const id = nextId++;
      return new Promise<ExecReply>((resolve, reject) => {
        slot.jobs.set(id, { resolve, reject });
        if (slot.inflight++ === 0) slot.worker.ref();
        slot.worker.postMessage({ id, cmd: req.cmd, args: [...req.args], input: req.input, timeoutMs: req.timeoutMs, maxCapture: req.maxCapture });
      });
    },
    async close() {
      const all = slots.splice(0);
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}
