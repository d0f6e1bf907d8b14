/** The add-ons room's errors (codes from the contract's table; the API maps them). */
import { SlipwayError } from '../errors.js';

/** Heroku's `confirmation_required`: the CLI prompts for the app name and retries with `confirm`. */
export class ConfirmationRequiredError extends SlipwayError {
  constructor(message: string) {
    super('confirmation_required', message);
    this.name = 'ConfirmationRequiredError';
  }
}

/** A provider failed (server down, disk full): 503, with what was undone said in the log. */
export class ProviderFailedError extends SlipwayError {
  constructor(service: string, what: string, cause: unknown) {
    super('unavailable', `The ${service} add-on could not be ${what}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ProviderFailedError';
  }
}
