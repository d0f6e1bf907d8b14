/**
 * The environment of a dyno (heroku-contract.md B2.1): the release's config vars, then the
 * platform's own vars, which win. `PORT` is set by the driver for web dynos; `HOME` by the driver
 * (it is where the slug is unpacked, `/app` in a container).
 */
export interface DynoEnvInput {
  config: Record<string, string>;
  appId: string;
  appName: string;
  dynoName: string;
  dynoId: string;
  releaseVersion: number | null;
  slugCommit: string | null;
  /** One-off dynos: `env` of `POST /apps/{app}/dynos` (TERM, COLUMNS, LINES…). */
  extra?: Record<string, string>;
}

export const DYNO_PS1 = '\\[\\033[01;34m\\]\\w\\[\\033[00m\\] \\[\\033[01;32m\\]$ \\[\\033[00m\\]';

export function dynoEnv(input: DynoEnvInput): Record<string, string> {
  const env: Record<string, string> = { ...input.config, ...(input.extra ?? {}) };
  env.DYNO = input.dynoName;
  env.PS1 = DYNO_PS1;
  env.HEROKU_APP_ID = input.appId;
  env.HEROKU_APP_NAME = input.appName;
  env.HEROKU_DYNO_ID = input.dynoId;
  env.SLIPWAY_APP_NAME = input.appName;
  if (input.releaseVersion !== null) {
    env.HEROKU_RELEASE_VERSION = `v${input.releaseVersion}`;
    env.SLIPWAY_RELEASE_VERSION = `v${input.releaseVersion}`;
  }
  if (input.slugCommit) env.HEROKU_SLUG_COMMIT = input.slugCommit;
  delete env.PORT;
  return env;
}
