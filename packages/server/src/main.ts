/**
 * The composition root (logplex style: the supervision tree is the architecture).
 *
 * `startPlatform` is the one list of the platform's long-lived parts, in start order; each part is
 * stopped in reverse order. Network listeners start last, so nothing is served before the parts it
 * needs are up. Only this file knows concrete classes.
 */
import { fileURLToPath } from 'node:url';
import { loadConfig, ConfigError, type Config } from './config.js';
import { createLogger, type Logger } from './log/index.js';

export interface Part {
  name: string;
  stop(): Promise<void>;
}

export interface Platform {
  config: Config;
  stop(): Promise<void>;
}

export async function startPlatform(config: Config, logger: Logger): Promise<Platform> {
  const parts: Part[] = [];
  const own = <T extends Part>(part: T): T => {
    parts.push(part);
    logger.info('part.started', { part: part.name });
    return part;
  };
  void own;
  // The parts, in start order, are added here as their rooms land:
  // store → events → logplex → dyno manager → builder → API listener → router process.

  return {
    config,
    async stop() {
      for (const part of parts.reverse()) {
        try {
          await part.stop();
          logger.info('part.stopped', { part: part.name });
        } catch (err) {
          logger.error('part.stop_failed', { part: part.name, error: String(err) });
        }
      }
    },
  };
}

export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`slipway: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  const platform = await startPlatform(config, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('platform.stopping', { signal });
    platform.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    process.stderr.write(`slipway: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  });
}
