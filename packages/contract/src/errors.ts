/**
 * One table of error codes, never reused (fastify style).
 *
 * - `API_ERRORS`: the `id` of a Platform API error body `{"id","message"}` and its HTTP status.
 * - `PLATFORM_ERRORS`: Heroku's router (H), runtime (R) and logging (L) codes as they appear in
 *   log lines (`at=error code=H12 desc="Request timeout"`).
 *
 * `docs/errors.md` documents every code; a test keeps the two in sync.
 */
export const API_ERRORS = {
  bad_request: { status: 400, summary: 'The request body or query could not be parsed.' },
  unauthorized: { status: 401, summary: 'No token, or a token that is not valid.' },
  forbidden: { status: 403, summary: 'The token is valid but may not do this (e.g. admin only).' },
  not_found: { status: 404, summary: 'The resource does not exist or is not visible to this user.' },
  conflict: { status: 409, summary: 'The request conflicts with the current state (e.g. a build in progress).' },
  invalid_params: { status: 422, summary: 'A field is missing, malformed or out of range; the message names it.' },
  name_taken: { status: 422, summary: 'An app with this name already exists.' },
  requested_range_not_satisfiable: { status: 416, summary: 'The Range header could not be understood.' },
  rate_limit: { status: 429, summary: 'Too many requests for this account.' },
  payload_too_large: { status: 413, summary: 'The request body is larger than the platform accepts.' },
  unsupported_media_type: { status: 415, summary: 'The request body is not JSON.' },
  method_not_allowed: { status: 405, summary: 'The path exists but not with this method.' },
  unavailable: { status: 503, summary: 'A platform component needed for this request is not running.' },
  confirmation_required: { status: 423, summary: 'The change needs the app name confirmed (`confirm` in the body): it replaces or destroys something.' },
  internal_error: { status: 500, summary: 'An unexpected platform error; the request id is in the log.' },
} as const;

export type ApiErrorId = keyof typeof API_ERRORS;

export interface PlatformErrorCode {
  desc: string;
  kind: 'router' | 'runtime' | 'logging';
}

export const PLATFORM_ERRORS = {
  H10: { desc: 'App crashed', kind: 'router' },
  H11: { desc: 'Backlog too deep', kind: 'router' },
  H12: { desc: 'Request timeout', kind: 'router' },
  H13: { desc: 'Connection closed without response', kind: 'router' },
  H14: { desc: 'No web dynos running', kind: 'router' },
  H15: { desc: 'Idle connection', kind: 'router' },
  H18: { desc: 'Server Request Interrupted', kind: 'router' },
  H19: { desc: 'Backend connection timeout', kind: 'router' },
  H20: { desc: 'App boot timeout', kind: 'router' },
  H21: { desc: 'Backend connection refused', kind: 'router' },
  H25: { desc: 'HTTP Restriction', kind: 'router' },
  H27: { desc: 'Client Request Interrupted', kind: 'router' },
  H28: { desc: 'Client Connection Idle', kind: 'router' },
  H80: { desc: 'Maintenance mode', kind: 'router' },
  H99: { desc: 'Platform error', kind: 'router' },
  R10: { desc: 'Boot timeout', kind: 'runtime' },
  R12: { desc: 'Exit timeout', kind: 'runtime' },
  R14: { desc: 'Memory quota exceeded', kind: 'runtime' },
  R15: { desc: 'Memory quota vastly exceeded', kind: 'runtime' },
  R18: { desc: 'Disk quota exceeded', kind: 'runtime' },
  R99: { desc: 'Platform error', kind: 'runtime' },
  L10: { desc: 'Drain buffer overflow', kind: 'logging' },
  L11: { desc: 'Tail buffer overflow', kind: 'logging' },
  L12: { desc: 'Local buffer overflow', kind: 'logging' },
} as const satisfies Record<string, PlatformErrorCode>;

export type PlatformErrorId = keyof typeof PLATFORM_ERRORS;

/** The body of every Platform API error response. */
export interface ApiErrorBody {
  id: ApiErrorId | string;
  message: string;
  resource?: string;
  url?: string;
}
