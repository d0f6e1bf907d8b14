/**
 * A dyno's output under Swarm, read through the manager's service logs API (`GET
 * /services/{id}/logs`): the manager fetches each task's log from whatever node runs it, so one
 * connection from the control plane reads dynos on every node, with stdout and stderr kept apart
 * (the stream is multiplexed unless the dyno has a tty). Nothing listens on the nodes and nothing
 * is lost when the control plane is down for a moment: the lines stay in the node's log file.
 *
 * While the dyno runs, the follow stream delivers complete lines as they come. When the task has
 * ended, `finish()` reads the whole log once more (not following) and delivers every line the
 * follow stream had not yet delivered, per stream, by count (the log of one task is read in the
 * same order each time), including a last line without a newline. So `onExit` comes after the last
 * line. A re-adopted dyno (`skip`) starts counting after the lines its log held at re-adoption.
 */
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { DynoEvents } from './driver.js';

type Stream = 'stdout' | 'stderr';

export interface DynoLogReader {
  /** Stops following and delivers what is left; resolves when every line was handed over. */
  finish(): Promise<void>;
  /** Stops following without delivering more (control plane closing). */
  detach(): void;
}

export async function logCounts(docker: Docker, serviceId: string, tty: boolean): Promise<Record<Stream, number>> {
  const all = await readAll(docker, serviceId, tty);
  return { stdout: all.stdout.length, stderr: all.stderr.length };
}

export async function followDynoLogs(opts: {
  docker: Docker;
  serviceId: string;
  tty: boolean;
  events: Pick<DynoEvents, 'onLine'>;
  skip?: Record<Stream, number>;
  onError?: (err: Error) => void;
}): Promise<DynoLogReader> {
  const { docker, serviceId, tty, events } = opts;
  const seen: Record<Stream, number> = { stdout: 0, stderr: 0 };
  const skip: Record<Stream, number> = { stdout: opts.skip?.stdout ?? 0, stderr: opts.skip?.stderr ?? 0 };
  let stopped = false;
  const deliver = (stream: Stream, line: string): void => {
    seen[stream]++;
    if (seen[stream] > skip[stream] && !stopped) events.onLine(stream, line);
  };
  const raw = (await docker.getService(serviceId).logs({ follow: true, stdout: true, stderr: true, details: false })) as unknown as Readable;
  const outputs = split(raw, tty, (stream, line) => deliver(stream, line));
  raw.on('error', (err: Error) => { if (!stopped) opts.onError?.(err); });
  const stop = (): void => {
    stopped = true;
    raw.destroy();
    for (const o of outputs) o.destroy();
  };
  return {
    detach: stop,
    async finish() {
      if (stopped) return;
      stop();
      stopped = false;
      const all = await readAll(docker, serviceId, tty);
      for (const stream of ['stdout', 'stderr'] as const) {
        const from = Math.max(seen[stream], skip[stream]);
        for (const line of all[stream].slice(from)) events.onLine(stream, line);
      }
      stopped = true;
    },
  };
}

/** Every line of the service's log so far, per stream (a last line without newline included). */
async function readAll(docker: Docker, serviceId: string, tty: boolean): Promise<Record<Stream, string[]>> {
  const out: Record<Stream, string[]> = { stdout: [], stderr: [] };
  const raw = (await docker.getService(serviceId).logs({ follow: false, stdout: true, stderr: true })) as unknown;
  const src: Readable = Buffer.isBuffer(raw) ? bufferStream(raw) : (raw as Readable);
  await new Promise<void>((resolve, reject) => {
    const parts = split(src, tty, (stream, line) => out[stream].push(line), true);
    let open = parts.length;
    for (const p of parts) p.on('end', () => { if (--open === 0) resolve(); }).on('error', reject);
    src.on('error', reject);
  });
  return out;
}

function bufferStream(buf: Buffer): Readable {
  const p = new PassThrough();
  p.end(buf);
  return p;
}

/**
 * Demultiplexes (non-tty) and splits into lines. With `flush`, a last line without newline is
 * delivered at the end; while following it waits for its newline (or for `finish`).
 */
function split(raw: Readable, tty: boolean, onLine: (stream: Stream, line: string) => void, flush = false): PassThrough[] {
  const out = new PassThrough();
  const err = new PassThrough();
  if (tty) raw.pipe(out);
  else {
    // Docker's multiplexed framing: [stream, 0, 0, 0, size (uint32 BE)] then `size` bytes. Read in
    // a loop (docker-modem's demuxStream recurses once per frame: a 20 000-line log overflows the stack).
    let pending: Buffer = Buffer.alloc(0);
    raw.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      while (pending.length - at >= 8) {
        const size = pending.readUInt32BE(at + 4);
        if (pending.length - at - 8 < size) break;
        const payload = pending.subarray(at + 8, at + 8 + size);
        (pending[at] === 2 ? err : out).write(payload);
        at += 8 + size;
      }
      pending = pending.subarray(at);
    });
    raw.on('end', () => { out.end(); err.end(); });
  }
  if (tty) err.end();
  for (const [stream, pt] of [['stdout', out], ['stderr', err]] as const) {
    let rest = '';
    pt.setEncoding('utf8');
    pt.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) onLine(stream, line.endsWith('\r') ? line.slice(0, -1) : line);
    });
    pt.on('end', () => { if (flush && rest) onLine(stream, rest); rest = ''; });
  }
  return [out, err];
}
