/**
 * The RuntimeDriver contract suite (hono's `common.case.test.ts` style): every driver runs these
 * same tests from its own `*.test.ts`:
 *
 *   runDriverContract('process', ({ dataDir }) => createProcessDriver({ dataDir }));
 *
 * Real slugs (a tar.gz built here with the system tar), real shell commands, real ports. Skips are
 * explicit and reasoned: by capability (e.g. `survivesManagerRestart` picks which recover behaviour
 * is required) or through `opts.skip` with a reason that shows up in the test output.
 */
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findDynoSize } from '@slipway/contract';
import type { DynoEvents, DynoExit, DynoHandle, DynoSpec, RuntimeDriver } from './driver.js';

export type ContractCase =
  | 'env-and-cwd' | 'stderr' | 'web-port' | 'stop-group' | 'stop-kill' | 'exit-once'
  | 'ephemeral' | 'usage' | 'usage-known-memory' | 'usage-cpu' | 'recover' | 'list-inspect' | 'attach';

export interface DriverContractOptions {
  /** Cases this driver cannot pass, each with the reason (printed as the skip message). */
  skip?: Partial<Record<ContractCase, string>>;
  /** How the dyno runs node (default: this process's node binary, visible to the process driver). */
  nodeBin?: string;
  /** Upper bound for each wait in the suite (default 20 s; only a deadline, never asserted). */
  waitMs?: number;
}

export type MakeDriver = (ctx: { dataDir: string }) => RuntimeDriver | Promise<RuntimeDriver>;

export interface Recorder {
  events: DynoEvents;
  lines: { stream: 'stdout' | 'stderr'; line: string }[];
  exits: DynoExit[];
  waitLine(pred: (line: string) => boolean, stream?: 'stdout' | 'stderr'): Promise<string>;
  waitExit(): Promise<DynoExit>;
}

const WEB_JS = `
const http = require('http');
process.on('SIGTERM', () => { console.log('web got SIGTERM'); process.exit(0); });
http.createServer((req, res) => res.end('hello from ' + process.env.DYNO))
  .listen(Number(process.env.PORT), () => console.log('listening on ' + process.env.PORT));
`;
/** Allocates and touches 200 MiB after its first report, so the increase is known. */
const ALLOC_JS = `
console.log('before');
setTimeout(() => {
  const keep = Buffer.alloc(200 * 1024 * 1024, 1);
  console.log('allocated', keep.length);
  setInterval(() => keep[0]++, 1000);
}, 1500);
`;
const BUSY_JS = `console.log('spinning'); for (;;) {}`;
const IDLE_JS = `setInterval(() => {}, 1000); const keep = Buffer.alloc(8 * 1024 * 1024, 1); console.log('idle', keep.length);`;

export function runDriverContract(name: string, makeDriver: MakeDriver, opts: DriverContractOptions = {}): void {
  const waitMs = opts.waitMs ?? 20_000;
  const node = opts.nodeBin ?? process.execPath;
  const skip = (c: ContractCase): string | undefined => opts.skip?.[c];

  describe(`RuntimeDriver contract: ${name}`, { timeout: waitMs * 4 }, () => {
    let tmp: string;
    let slugPath: string;
    let driver: RuntimeDriver;
    const started: { d: RuntimeDriver; h: DynoHandle }[] = [];
    const extraDrivers: RuntimeDriver[] = [];
    let seq = 0;

    before(async () => {
      tmp = await mkdtemp(path.join(tmpdir(), 'slipway-driver-'));
      const src = path.join(tmp, 'src', 'app');
      await mkdir(path.join(src, '.profile.d'), { recursive: true });
      await writeFile(path.join(src, 'marker.txt'), 'from the slug\n');
      await writeFile(path.join(src, 'web.js'), WEB_JS);
      await writeFile(path.join(src, 'idle.js'), IDLE_JS);
      await writeFile(path.join(src, 'alloc.js'), ALLOC_JS);
      await writeFile(path.join(src, 'busy.js'), BUSY_JS);
      await writeFile(path.join(src, '.profile.d', 'test.sh'), 'export FROM_PROFILE=yes\n');
      slugPath = path.join(tmp, 'slug.tgz');
      const tar = spawnSync('tar', ['-czf', slugPath, '-C', path.join(tmp, 'src'), './app'], { encoding: 'utf8' });
      assert.equal(tar.status, 0, tar.stderr);
      driver = await makeDriver({ dataDir: path.join(tmp, 'data') });
    });

    afterEach(async () => {
      for (const { d, h } of started.splice(0)) {
        if ((await d.inspect(h)).running) await d.stop(h, { graceMs: 0 });
      }
    });

    after(async () => {
      for (const d of extraDrivers) await d.close();
      await driver?.close();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    const spec = (over: Partial<DynoSpec>): DynoSpec => ({
      appId: 'app-id-1', appName: 'contract-app', name: `worker.${++seq}`, type: 'worker',
      command: 'true', slugPath, releaseVersion: 1, size: findDynoSize('standard-1x')!,
      env: { FOO: 'bar' }, needsPort: false, ...over,
    });
    const start = async (s: DynoSpec, rec: Recorder, d: RuntimeDriver = driver): Promise<DynoHandle> => {
      const h = await d.start(s, rec.events);
      started.push({ d, h });
      return h;
    };
    const rec = (): Recorder => recorder(waitMs);

    it('runs the command in the unpacked slug with config vars, DYNO and .profile.d', { skip: skip('env-and-cwd') }, async () => {
      const r = rec();
      await start(spec({ name: 'worker.1', command: 'echo "dyno=$DYNO foo=$FOO port=${PORT:-none} profile=$FROM_PROFILE"; cat marker.txt; exit 3' }), r);
      const exit = await r.waitExit();
      assert.equal(exit.code, 3);
      assert.ok(r.lines.some((l) => l.line === 'dyno=worker.1 foo=bar port=none profile=yes'), JSON.stringify(r.lines));
      assert.ok(r.lines.some((l) => l.line === 'from the slug'));
    });

    it('delivers stderr lines separately from stdout', { skip: skip('stderr') }, async () => {
      const r = rec();
      await start(spec({ command: 'echo out-line; echo err-line 1>&2; printf "no newline"' }), r);
      await r.waitExit();
      assert.ok(r.lines.some((l) => l.stream === 'stdout' && l.line === 'out-line'));
      assert.ok(r.lines.some((l) => l.stream === 'stderr' && l.line === 'err-line'));
      assert.ok(r.lines.some((l) => l.stream === 'stdout' && l.line === 'no newline'));
    });

    it('gives web dynos a $PORT reachable at handle.host:handle.port', { skip: skip('web-port') }, async () => {
      const r = rec();
      const h = await start(spec({ name: 'web.1', type: 'web', needsPort: true, command: `exec '${node}' web.js` }), r);
      assert.ok(h.host && h.port, 'a web dyno has host and port');
      const body = await pollHttp(`http://${h.host}:${h.port}/`, waitMs);
      assert.equal(body, 'hello from web.1');
      const res = await driver.stop(h, { graceMs: waitMs });
      assert.equal(res.killed, false);
      await r.waitLine((l) => l === 'web got SIGTERM');
      assert.equal((await r.waitExit()).code, 0);
    });

    it('stop sends SIGTERM to every process of the dyno, not just the first', { skip: skip('stop-group') }, async () => {
      const r = rec();
      const h = await start(spec({
        command: `sh -c 'trap "echo child got TERM; exit 0" TERM; echo child ready; while :; do sleep 0.05; done' & ` +
          `trap 'echo parent got TERM; wait; exit 0' TERM; while :; do sleep 0.05; done`,
      }), r);
      await r.waitLine((l) => l === 'child ready');
      const res = await driver.stop(h, { graceMs: waitMs });
      assert.equal(res.killed, false);
      await r.waitExit();
      assert.ok(r.lines.some((l) => l.line === 'child got TERM'), JSON.stringify(r.lines));
      assert.ok(r.lines.some((l) => l.line === 'parent got TERM'), JSON.stringify(r.lines));
    });

    it('stop escalates to SIGKILL after graceMs and reports killed', { skip: skip('stop-kill') }, async () => {
      const r = rec();
      const h = await start(spec({ command: `trap '' TERM; echo stubborn; while :; do sleep 0.05; done` }), r);
      await r.waitLine((l) => l === 'stubborn');
      const res = await driver.stop(h, { graceMs: 300 });
      assert.equal(res.killed, true);
      const exit = await r.waitExit();
      assert.equal(exit.code, null);
      assert.equal(exit.signal, 'SIGKILL');
      assert.equal((await driver.inspect(h)).running, false);
    });

    it('reports the exit exactly once, also when stopped', { skip: skip('exit-once') }, async () => {
      const r = rec();
      const h = await start(spec({ command: 'echo up; while :; do sleep 0.05; done' }), r);
      await r.waitLine((l) => l === 'up');
      await driver.stop(h, { graceMs: waitMs });
      await driver.stop(h, { graceMs: waitMs });
      await r.waitExit();
      await new Promise((res) => setTimeout(res, 50));
      assert.equal(r.exits.length, 1);
    });

    it('has an ephemeral filesystem: a file written in one start is gone in the next', { skip: skip('ephemeral') }, async () => {
      const command = '[ -e scratch.txt ] && echo scratch present || echo scratch absent; echo data > scratch.txt; cat scratch.txt';
      for (let i = 0; i < 2; i++) {
        const r = rec();
        await start(spec({ name: 'worker.1', command }), r);
        await r.waitExit();
        assert.ok(r.lines.some((l) => l.line === 'scratch absent'), `start ${i + 1}: ${JSON.stringify(r.lines)}`);
        assert.ok(r.lines.some((l) => l.line === 'data'));
      }
    });

    it('reports memory use of a running dyno', { skip: skip('usage') }, async () => {
      const r = rec();
      const h = await start(spec({ command: `exec '${node}' idle.js` }), r);
      await r.waitLine((l) => l.startsWith('idle'));
      const usage = await driver.usage(h);
      assert.ok(usage, 'usage of a running dyno');
      assert.ok(usage.memoryBytes > 8 * 1024 * 1024, `memory ${usage.memoryBytes}`);
      assert.ok(usage.cpuMicros >= 0);
    });

    it('reports the memory a dyno allocates within 10 %', { skip: skip('usage-known-memory') }, async () => {
      const r = rec();
      const h = await start(spec({ command: `exec '${node}' alloc.js` }), r);
      await r.waitLine((l) => l === 'before');
      const before = await driver.usage(h);
      await r.waitLine((l) => l.startsWith('allocated'));
      const after = await driver.usage(h);
      assert.ok(before && after, 'usage of a running dyno');
      const grew = after.memoryBytes - before.memoryBytes;
      const want = 200 * 1024 * 1024;
      assert.ok(Math.abs(grew - want) <= 0.1 * want, `grew by ${(grew / 1024 / 1024).toFixed(1)} MiB, allocated 200 MiB`);
      if (after.rssBytes !== undefined) assert.ok(after.rssBytes >= want * 0.9, `rss ${after.rssBytes}`);
    });

    it('reports the CPU time of a busy dyno (the metrics\' load average comes from it)', { skip: skip('usage-cpu') }, async () => {
      const r = rec();
      const h = await start(spec({ command: `exec '${node}' busy.js` }), r);
      await r.waitLine((l) => l === 'spinning');
      const a = await driver.usage(h);
      const t0 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const b = await driver.usage(h);
      const wallMicros = (performance.now() - t0) * 1000;
      assert.ok(a && b, 'usage of a running dyno');
      // On a shared machine the loop gets what the scheduler gives it; idle dynos use ~0.
      assert.ok(b.cpuMicros - a.cpuMicros > 0.05 * wallMicros, `cpu ${(b.cpuMicros - a.cpuMicros) / 1000} ms in ${(wallMicros / 1000).toFixed(0)} ms`);
    });

    it('lists and inspects running dynos, and forgets them once stopped', { skip: skip('list-inspect') }, async () => {
      const r = rec();
      const h = await start(spec({ command: 'echo up; while :; do sleep 0.05; done' }), r);
      await r.waitLine((l) => l === 'up');
      assert.equal((await driver.inspect(h)).running, true);
      assert.ok((await driver.list()).some((ref) => sameRef(ref, h.ref)), 'list() has the dyno');
      await driver.stop(h, { graceMs: waitMs });
      assert.equal((await driver.inspect(h)).running, false);
      assert.ok(!(await driver.list()).some((ref) => sameRef(ref, h.ref)), 'list() forgot the dyno');
    });

    it('recover re-adopts a running dyno (survivesManagerRestart) or returns false and leaves no duplicate', { skip: skip('recover') }, async () => {
      // After a stop, there is nothing to re-adopt.
      const r0 = rec();
      const h0 = await start(spec({ command: 'exit 0' }), r0);
      await r0.waitExit();
      assert.equal(await driver.recover(h0, rec().events), false, 'a finished dyno cannot be recovered');

      const other = await makeDriver({ dataDir: path.join(tmp, 'data') });
      extraDrivers.push(other);
      const r = rec();
      const first = await makeDriver({ dataDir: path.join(tmp, 'data') });
      extraDrivers.push(first);
      const h = await start(spec({ command: 'echo up; while :; do echo tick; sleep 0.05; done' }), r, first);
      await r.waitLine((l) => l === 'up');
      if (first.capabilities.survivesManagerRestart) {
        await first.close();
        const r2 = rec();
        assert.equal(await other.recover(h, r2.events), true, 're-adopts a dyno started by an earlier manager');
        started.push({ d: other, h });
        await r2.waitLine((l) => l === 'tick');
        await other.stop(h, { graceMs: waitMs });
        await r2.waitExit();
      } else {
        // The dyno cannot be re-attached: recover must say so and leave no duplicate running.
        assert.equal(await other.recover(h, rec().events), false);
        await r.waitExit();
        assert.equal((await other.inspect(h)).running, false);
      }
    });

    it('streams stdin and output of attached one-off dynos', { skip: skip('attach') }, async (t) => {
      if (typeof driver.attach !== 'function') {
        t.skip('the driver has no attach(): attached one-off dynos are not supported');
        return;
      }
      const r = rec();
      const h = await start(spec({ name: 'run.1', type: 'run', attach: true, command: 'read line; echo "got $line"' }), r);
      const io = driver.attach?.(h);
      assert.ok(io, 'attach() returns the io of an attached dyno');
      const chunks: Buffer[] = [];
      io.output.on('data', (c: Buffer) => chunks.push(c));
      io.stdin.write('hello\n');
      await r.waitExit();
      await r.waitLine((l) => l === 'got hello');
      await until(() => Buffer.concat(chunks).toString().includes('got hello'), waitMs, 'attached output');
    });
  });
}

export function recorder(waitMs = 20_000): Recorder {
  const lines: Recorder['lines'] = [];
  const exits: DynoExit[] = [];
  return {
    lines,
    exits,
    events: {
      onLine: (stream, line) => lines.push({ stream, line }),
      onExit: (exit) => exits.push(exit),
    },
    async waitLine(pred, stream) {
      await until(() => lines.some((l) => (!stream || l.stream === stream) && pred(l.line)), waitMs, 'a matching line');
      return lines.find((l) => (!stream || l.stream === stream) && pred(l.line))!.line;
    },
    async waitExit() {
      await until(() => exits.length > 0, waitMs, 'the dyno to exit');
      return exits[0];
    },
  };
}

export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function pollHttp(url: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(url);
      return await res.text();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function sameRef(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return Object.entries(b).every(([k, v]) => JSON.stringify(a[k]) === JSON.stringify(v));
}
