// Writes packages/cli/README.md from the command registry: node --import tsx packages/cli/scripts/gen-readme.ts
import { writeFileSync } from 'node:fs';
import { renderReadme } from '../src/readme.js';

writeFileSync(new URL('../README.md', import.meta.url), renderReadme());
