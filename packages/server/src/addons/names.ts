/**
 * Add-on and attachment names, decided purely (given a random source), with Heroku's rules:
 * - an add-on is named `<prefix>-<adjective>-<5 digits>` (`postgresql-curved-12345`) unless
 *   `--name` gives one: lowercase letters, digits and dashes, starting with a letter;
 * - an attachment name is an environment prefix: uppercase letters, digits and underscores,
 *   starting with a letter; `--as` gives one, otherwise the service's default (`DATABASE`) when
 *   the app has no attachment of that name, else `<alternate prefix>_<COLOR>`
 *   (`HEROKU_POSTGRESQL_PINK`) with a color the app does not use yet.
 */
import { randomInt } from 'node:crypto';
import type { ServiceSpec } from './provider.js';

export const ADDON_NAME_PATTERN = /^[a-z][a-z0-9-]{1,254}$/;
export const ATTACHMENT_NAME_PATTERN = /^[A-Z][A-Z0-9_]{0,62}$/;
/** Digits after the adjective: Heroku's are five. */
export const ADDON_NAME_DIGITS = 5;

const ADJECTIVES = [
  'curved', 'shaped', 'clean', 'cubic', 'deep', 'flat', 'fluffy', 'opaque', 'round', 'solid',
  'spherical', 'angular', 'concentric', 'convex', 'infinite', 'rigid', 'slippery', 'symmetrical', 'tetrahedral', 'transparent',
];

/** Heroku Postgres's attachment colors. */
export const COLORS = [
  'AMBER', 'AQUA', 'BLACK', 'BLUE', 'BRONZE', 'BROWN', 'CHARCOAL', 'COBALT', 'COPPER', 'CRIMSON', 'CYAN', 'GOLD', 'GRAY',
  'GREEN', 'IVORY', 'JADE', 'LIME', 'MAROON', 'MAUVE', 'NAVY', 'OLIVE', 'ONYX', 'ORANGE', 'PINK', 'PUCE', 'PURPLE', 'RED',
  'ROSE', 'SILVER', 'TEAL', 'VIOLET', 'WHITE', 'YELLOW',
] as const;

export function generateAddonName(prefix: string, random: (n: number) => number = randomInt): string {
  const adjective = ADJECTIVES[random(ADJECTIVES.length)];
  const digits = String(random(9 * 10 ** (ADDON_NAME_DIGITS - 1)) + 10 ** (ADDON_NAME_DIGITS - 1));
  return `${prefix}-${adjective}-${digits}`;
}

export function addonNameProblem(name: string): string | undefined {
  return ADDON_NAME_PATTERN.test(name) ? undefined : 'Name must start with a letter and can only contain lowercase letters, numbers, and dashes.';
}

export function attachmentNameProblem(name: string): string | undefined {
  if (!ATTACHMENT_NAME_PATTERN.test(name)) return 'Attachment name must start with a letter and can only contain uppercase letters, numbers, and underscores (at most 63).';
  return undefined;
}

/**
 * The attachment name a new attachment gets on an app that already has `taken` (names of its
 * attachments). `undefined` when every color is used (the caller asks for `--as`).
 */
export function chooseAttachmentName(service: Pick<ServiceSpec, 'defaultAttachmentName' | 'alternateAttachmentPrefix'>, taken: ReadonlySet<string>, random: (n: number) => number = randomInt): string | undefined {
  if (!taken.has(service.defaultAttachmentName)) return service.defaultAttachmentName;
  const free = COLORS.map((c) => `${service.alternateAttachmentPrefix}_${c}`).filter((n) => !taken.has(n));
  return free.length === 0 ? undefined : free[random(free.length)];
}

/** The config vars an attachment sets: `DATABASE` + `URL` → `DATABASE_URL`. */
export function attachmentConfigVars(attachmentName: string, suffixes: readonly string[]): string[] {
  return suffixes.map((s) => `${attachmentName}_${s}`);
}
