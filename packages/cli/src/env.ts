/**
 * The CLI's one reader of `process.env`: everything else gets a `CliEnv` passed in, so tests can
 * run commands with any environment without touching the real one.
 */
import os from 'node:os';

export interface CliEnv {
  /** Base URL of the Platform API, without a trailing slash. `SLIPWAY_API_URL`. */
  apiUrl: string;
  /** `SLIPWAY_API_KEY`: wins over ~/.netrc, like `HEROKU_API_KEY`. */
  apiKey?: string;
  /** Home directory holding `.netrc`. */
  home: string;
  /** `SLIPWAY_APP`: default app when `-a` is not given, like `HEROKU_APP`. */
  app?: string;
  /** `SLIPWAY_DEBUG=1`: print stack traces of unexpected errors. */
  debug?: boolean;
}

export const DEFAULT_API_URL = 'http://localhost:5000';

export function readEnv(env: Readonly<Record<string, string | undefined>> = process.env): CliEnv {
  const apiUrl = (env.SLIPWAY_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, '');
  return {
    apiUrl,
    apiKey: env.SLIPWAY_API_KEY?.trim() || undefined,
    home: env.HOME?.trim() || os.homedir(),
    app: env.SLIPWAY_APP?.trim() || undefined,
    debug: /^(1|true|yes)$/i.test(env.SLIPWAY_DEBUG ?? ''),
  };
}

/** `host[:port]` of the API, the netrc machine name and the git host (`localhost:5000`). */
export function apiHost(env: Pick<CliEnv, 'apiUrl'>): string {
  return new URL(env.apiUrl).host;
}
