#!/usr/bin/env node
// Extracts the resources Slipway serves from Heroku's published Platform API schema
// (shared/heroku-platform-schema.json beside the repository) into
// packages/contract/schema/heroku-platform-subset.json, which the API contract test checks
// responses against. Run it again when the list below grows.
import { readFileSync, writeFileSync } from 'node:fs';

const RESOURCES = ['account', 'app', 'build', 'buildpack-installation', 'collaborator', 'domain', 'dyno', 'formation', 'log-drain', 'log-session', 'release', 'slug',
  'pipeline', 'pipeline-coupling', 'pipeline-promotion', 'pipeline-promotion-target', 'app-setup'];
const root = new URL('..', import.meta.url).pathname;
const source = process.argv[2] ?? `${root}../shared/heroku-platform-schema.json`;
const schema = JSON.parse(readFileSync(source, 'utf8'));
const definitions = {};
for (const name of RESOURCES) {
  const d = schema.definitions[name];
  if (!d) throw new Error(`no definition ${name} in ${source}`);
  definitions[name] = { title: d.title, properties: d.properties, definitions: d.definitions };
}
// Properties often point into other resources' definitions (app → region, stack…): keep those too.
const wanted = new Set();
JSON.stringify(definitions, (k, v) => {
  if (k === '$ref' && typeof v === 'string') wanted.add(v.split('/')[2]);
  return v;
});
for (const name of wanted) {
  if (!definitions[name] && schema.definitions[name]) definitions[name] = { title: schema.definitions[name].title, definitions: schema.definitions[name].definitions };
}
const out = { generated: 'by scripts/extract-heroku-schema.mjs from Heroku\'s published Platform API schema; do not edit', definitions };
writeFileSync(`${root}packages/contract/schema/heroku-platform-subset.json`, JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${Object.keys(definitions).length} definitions`);
