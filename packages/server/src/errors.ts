/**
 * The platform's error base: a stable `code` (an API error id from @slipway/contract) and a
 * message for humans. Domain code throws these; only the API layer maps them to HTTP.
 */
import type { ApiErrorId } from '@slipway/contract';

export class SlipwayError extends Error {
  constructor(
    readonly code: ApiErrorId,
    message: string,
    readonly details: { resource?: string; field?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'SlipwayError';
  }
}

export class NotFoundError extends SlipwayError {
  constructor(resource: string, message = `Couldn't find that ${resource}.`) {
    super('not_found', message, { resource });
  }
}

export class InvalidParamsError extends SlipwayError {
  constructor(message: string, field?: string) {
    super('invalid_params', message, { field });
  }
}

export class ConflictError extends SlipwayError {
  constructor(message: string) {
    super('conflict', message);
  }
}
