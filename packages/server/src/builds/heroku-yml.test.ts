import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHerokuYml, procfileText } from './heroku-yml.js';

describe('heroku.yml', () => {
  it('gives process types from run (string, array or {command}) and release, as a Procfile would', () => {
    const y = parseHerokuYml([
      'setup:',
      '  addons:',
      '    - plan: heroku-postgresql',
      '      as: DATABASE',
      '  config:',
      '    GREETING: hello',
      'release:',
      '  command:',
      '    - ./migrate.sh',
      '    - --fast',
      '  image: web',
      'run:',
      '  web: node web.js',
      '  worker:',
      '    command:',
      '      - node',
      '      - worker.js',
      '    image: web',
      '  clock: ["node", "clock.js"]',
    ].join('\n'));
    assert.deepEqual(y, { dockerBuild: false, processTypes: { web: 'node web.js', worker: 'node worker.js', clock: 'node clock.js', release: './migrate.sh --fast' } });
    assert.equal(procfileText({ web: 'node web.js', worker: 'node worker.js' }), 'web: node web.js\nworker: node worker.js\n');
  });

  it('notices a Docker build section', () => {
    assert.equal(parseHerokuYml('build:\n  docker:\n    web: Dockerfile\nrun:\n  web: bundle exec puma\n').dockerBuild, true);
  });

  it('refuses what is not a heroku.yml, naming the place', () => {
    assert.throws(() => parseHerokuYml('run: [unclosed'), /heroku\.yml is not valid YAML/);
    assert.throws(() => parseHerokuYml('- a\n- b\n'), /heroku\.yml must be a YAML mapping/);
    assert.throws(() => parseHerokuYml('run:\n  "web process": node web.js\n'), /heroku\.yml is invalid at run\.web process/);
    assert.throws(() => parseHerokuYml('run:\n  web: |\n    node a.js\n    node b.js\n'), /the web command spans several lines/);
  });
});
