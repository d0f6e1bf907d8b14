import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startMockApi } from './testing/mock-api.js';

const bin = ['ts', 'js'].map((ext) => path.join(import.meta.dirname, `bin.${ext}`)).find((f) => existsSync(f))!;

function slipway(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const nodeArgs = bin.endsWith('.ts') ? ['--import', import.meta.resolve('tsx'), bin] : [bin];
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, ...args], { env: { ...process.env, ...env }, cwd: import.meta.dirname }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('bin', () => {
  it('runs a command from SLIPWAY_API_URL / SLIPWAY_API_KEY and exits with its code', async () => {
    const api = await startMockApi();
    try {
      api.expect('GET', '/apps/myapp/config-vars', { body: { FOO: 'bar' } });
      api.expect('GET', '/apps/gone/config-vars', { status: 404, body: { id: 'not_found', message: "Couldn't find that app." } });
      const env = { SLIPWAY_API_URL: api.url, SLIPWAY_API_KEY: 'bin-token' };
      assert.deepEqual(await slipway(['config:get', 'FOO', '-a', 'myapp'], env), { code: 0, stdout: 'bar\n', stderr: '' });
      assert.equal(api.requests[0].headers.authorization, 'Bearer bin-token');
      assert.deepEqual(await slipway(['config', '-a', 'gone'], env), { code: 2, stdout: '', stderr: "Error: Couldn't find that app.\n" });
      api.assertDone();
    } finally {
      await api.close();
    }
  });
});
