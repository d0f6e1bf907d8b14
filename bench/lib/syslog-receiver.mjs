// A local syslog TCP receiver for the logs benchmark: RFC 6587 octet-counted frames (what a
// Slipway syslog drain and rsyslog's omfwd with TCP_Framing="octet-counted" send). It only counts
// and timestamps what arrives, so both relays are measured against the same, cheap receiver:
//   - `bench-line i=N` frames (throughput runs): how many, when the latest one arrived, in order?
//   - `bench-tail i=N t=T` frames (delay runs): arrival time − T (the sender's epoch ms stamp).
import net from 'node:net';
import { sleep } from './proc.mjs';

const LINE = Buffer.from('bench-line i=');
const TAIL = /bench-tail i=(\d+) t=([0-9.]+)/;
const epochMs = () => performance.timeOrigin + performance.now();

/** Parses every complete octet-counted frame in `buf` from `pos`; returns the offset of the rest. */
export function eachFrame(buf, onFrame) {
  const bad = (pos) => new Error(`not an octet-counted frame at byte ${pos}: ${JSON.stringify(buf.toString('latin1', pos, pos + 20))}`);
  let pos = 0;
  for (;;) {
    const space = buf.indexOf(0x20, pos);
    if (space < 0) {
      if (buf.length - pos > 10) throw bad(pos);
      return pos;
    }
    const len = Number(buf.toString('latin1', pos, space));
    if (space === pos || space - pos > 10 || !Number.isInteger(len) || len <= 0) throw bad(pos);
    const end = space + 1 + len;
    if (end > buf.length) return pos;
    onFrame(space + 1, end);
    pos = end;
  }
}

/** Reads the digits after `bench-line i=` in buf[start, end), or -1. */
function lineIndex(buf, start, end) {
  const at = buf.indexOf(LINE, start);
  if (at < 0 || at >= end) return -1;
  let n = 0;
  let i = at + LINE.length;
  for (; i < end && buf[i] >= 0x30 && buf[i] <= 0x39; i++) n = n * 10 + (buf[i] - 0x30);
  return i === at + LINE.length ? -1 : n;
}

/**
 * Starts the receiver on 127.0.0.1:0 and registers its shutdown with the scope.
 * `reset()` starts a new measurement; `waitForLines(n)` resolves the arrival time of the n-th line.
 */
export async function startSyslogReceiver(scope) {
  let state;
  const reset = () => {
    state = { lines: 0, lastIndex: -1, inOrder: true, lastAt: NaN, tail: new Map(), frames: 0, errors: [] };
  };
  reset();
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      const now = epochMs();
      const buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      try {
        const rest = eachFrame(buf, (start, end) => {
          state.frames++;
          const i = lineIndex(buf, start, end);
          if (i >= 0) {
            state.lines++;
            if (i <= state.lastIndex) state.inOrder = false;
            state.lastIndex = i;
            state.lastAt = now;
            return;
          }
          const m = TAIL.exec(buf.toString('latin1', start, end));
          if (m && !state.tail.has(m[1])) state.tail.set(m[1], now - Number(m[2]));
        });
        pending = buf.subarray(rest);
      } catch (err) {
        state.errors.push(err.message);
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  scope.defer(() => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  }));
  return {
    port: server.address().port,
    reset,
    get state() {
      return state;
    },
    /** Resolves { at, lines } once `n` bench lines arrived; rejects after `ms` with what did. */
    async waitForLines(n, what, ms) {
      const deadline = Date.now() + ms;
      while (state.lines < n) {
        if (state.errors.length) throw new Error(`${what}: ${state.errors[0]}`);
        if (Date.now() > deadline) throw new Error(`${what}: ${state.lines} of ${n} lines arrived in ${ms} ms`);
        await sleep(state.lines === 0 ? 20 : 2);
      }
      return { at: state.lastAt, lines: state.lines, inOrder: state.inOrder };
    },
  };
}
