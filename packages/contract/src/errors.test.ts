import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API_ERRORS, PLATFORM_ERRORS } from './errors.js';

// Works from src/ (tsx) and dist/src/ (compiled): walk up to the repository's docs/.
function readDocs(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      return readFileSync(`${dir}/docs/errors.md`, 'utf8');
    } catch {
      dir = `${dir}/..`;
    }
  }
  throw new Error('docs/errors.md not found');
}

const docs = readDocs();
const rows = new Map<string, string[]>();
for (const line of docs.split('\n')) {
  const m = /^\| `([A-Za-z0-9_]+)` \|(.*)\|\s*$/.exec(line);
  if (m) rows.set(m[1], m[2].split('|').map((c) => c.trim()));
}

test('every API error id is documented with its status', () => {
  for (const [id, { status }] of Object.entries(API_ERRORS)) {
    const row = rows.get(id);
    assert.ok(row, `docs/errors.md lacks API error id ${id}`);
    assert.equal(row[0], String(status), `docs/errors.md gives ${id} status ${row[0]}, code says ${status}`);
  }
});

test('every platform code is documented with its description', () => {
  for (const [code, { desc }] of Object.entries(PLATFORM_ERRORS)) {
    const row = rows.get(code);
    assert.ok(row, `docs/errors.md lacks platform code ${code}`);
    assert.equal(row[0], desc, `docs/errors.md describes ${code} as "${row[0]}", code says "${desc}"`);
  }
});

test('docs list no code that the table lacks', () => {
  const known = new Set([...Object.keys(API_ERRORS), ...Object.keys(PLATFORM_ERRORS)]);
  for (const id of rows.keys()) assert.ok(known.has(id), `docs/errors.md documents unknown code ${id}`);
});
