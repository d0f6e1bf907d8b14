/** The router's protection limits against abusive clients, with their defaults. */
export interface RouterLimits {
  /** Request line plus headers, bytes (431 past it). */
  maxHeaderSize: number;
  /** Header fields per request (431 past it). */
  maxHeadersCount: number;
  /** Request target length (414 past it). */
  maxUrlLength: number;
  /** Time a client has to send its headers (slowloris); 408 past it. */
  headersTimeoutMs: number;
  /** Idle keep-alive connections from clients are closed after this. */
  keepAliveTimeoutMs: number;
  /** Open connections per client IP; more are closed at once. 0 = no cap. */
  maxConnectionsPerClient: number;
  /** How long a dyno that refused a connect is avoided. */
  quarantineMs: number;
}

export const DEFAULT_LIMITS: RouterLimits = {
  maxHeaderSize: 16 * 1024,
  maxHeadersCount: 100,
  maxUrlLength: 8 * 1024,
  headersTimeoutMs: 20_000,
  keepAliveTimeoutMs: 65_000,
  maxConnectionsPerClient: 1000,
  quarantineMs: 5_000,
};
