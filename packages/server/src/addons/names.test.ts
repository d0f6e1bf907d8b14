import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addonNameProblem, attachmentConfigVars, attachmentNameProblem, chooseAttachmentName, COLORS, generateAddonName } from './names.js';

const pg = { defaultAttachmentName: 'DATABASE', alternateAttachmentPrefix: 'HEROKU_POSTGRESQL' };

describe('add-on names', () => {
  it('generates prefix-adjective-5 digits, valid by its own rule', () => {
    const name = generateAddonName('postgresql', () => 0);
    assert.equal(name, 'postgresql-curved-10000');
    for (let i = 0; i < 50; i++) assert.equal(addonNameProblem(generateAddonName('redis')), undefined);
    assert.match(generateAddonName('redis', (n) => n - 1), /^redis-[a-z]+-99999$/);
  });

  it('accepts and refuses names as Heroku does', () => {
    const table: [string, boolean][] = [['analytics-db', true], ['a', false], ['Analytics', false], ['1db', false], ['db_x', false], ['db-2', true]];
    for (const [name, ok] of table) assert.equal(addonNameProblem(name) === undefined, ok, name);
    const attachments: [string, boolean][] = [['DATABASE', true], ['REPORTING_2', true], ['database', false], ['2DB', false], ['DB-X', false], ['', false]];
    for (const [name, ok] of attachments) assert.equal(attachmentNameProblem(name) === undefined, ok, name);
  });
});

describe('chooseAttachmentName', () => {
  it('DATABASE first, then a color the app does not use, then nothing', () => {
    assert.equal(chooseAttachmentName(pg, new Set()), 'DATABASE');
    assert.equal(chooseAttachmentName(pg, new Set(['REDIS'])), 'DATABASE');
    assert.equal(chooseAttachmentName(pg, new Set(['DATABASE']), () => 0), 'HEROKU_POSTGRESQL_AMBER');
    assert.equal(chooseAttachmentName(pg, new Set(['DATABASE', 'HEROKU_POSTGRESQL_AMBER']), () => 0), 'HEROKU_POSTGRESQL_AQUA');
    const all = new Set(['DATABASE', ...COLORS.map((c) => `HEROKU_POSTGRESQL_${c}`)]);
    assert.equal(chooseAttachmentName(pg, all), undefined);
  });

  it('names the config vars by suffix', () => {
    assert.deepEqual(attachmentConfigVars('HEROKU_POSTGRESQL_PINK', ['URL']), ['HEROKU_POSTGRESQL_PINK_URL']);
  });
});
