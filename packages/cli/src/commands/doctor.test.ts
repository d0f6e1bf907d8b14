import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const bin = ['ts', 'js'].map((ext) => path.join(import.meta.dirname, '..', `bin.${ext}`)).find((f) => existsSync(f))!;

function slipway(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const nodeArgs = bin.endsWith('.ts') ? ['--import', import.meta.resolve('tsx'), bin] : [bin];
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('slipway doctor', () => {
  it('runs the platform\'s checks with the SLIPWAY_* settings: one line each, and a one-line error with exit 1 when degraded', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-doctor-cli-'));
    try {
      await writeFile(path.join(dir, 'file'), 'x');
      const r = await slipway(['doctor'], { SLIPWAY_DATA_DIR: path.join(dir, 'file', 'data'), SLIPWAY_RUNTIME: 'process', SLIPWAY_API_PORT: '0', SLIPWAY_ROUTER_PORT: '0', SLIPWAY_RENDEZVOUS_PORT: '0' });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /^FAIL {2}runtime +process \(SLIPWAY_RUNTIME=process\)/m);
      assert.match(r.stdout, /^FAIL {2}data dir +\S+ is not writable: ENOTDIR\n +fix: set SLIPWAY_DATA_DIR/m);
      assert.match(r.stdout, /^ok {4}port api +any free port/m);
      assert.match(r.stdout, /checks failed: the platform would run degraded\.\n$/);
      assert.equal(r.stderr, 'Error: The platform would run degraded: fix the FAIL lines above.\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
