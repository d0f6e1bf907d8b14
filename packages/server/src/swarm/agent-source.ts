/**
 * The source of a script Slipway runs inside Swarm containers with the stack image's node
 * (`node -e`): packages/server/swarm-agent/<name>, found from src (tsx) or dist, read once.
 * A leaf module (node built-ins only): the dynos room imports it without a cycle.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const sources = new Map<string, string>();

export function swarmAgentSource(name: 'node-agent.cjs' | 'attach-relay.cjs'): string {
  const known = sources.get(name);
  if (known !== undefined) return known;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, 'swarm-agent', name);
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      sources.set(name, text);
      return text;
    }
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find packages/server/swarm-agent/${name}`);
}
