/** App names as Heroku allows them: start with a letter, then letters, digits and dashes; 3 to 30 long. */
export const APP_NAME_PATTERN = /^[a-z][a-z0-9-]{2,29}$/;

export function isValidAppName(name: string): boolean {
  return APP_NAME_PATTERN.test(name);
}

/** Process types as in a Procfile: `web`, `worker`, `clock`, `release`… */
export const PROCESS_TYPE_PATTERN = /^[a-zA-Z0-9_-]{1,30}$/;
