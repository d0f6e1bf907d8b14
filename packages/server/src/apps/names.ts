/**
 * Heroku-style generated app names: `sleepy-river-4821`. Pure given a random source.
 */
import { randomInt } from 'node:crypto';
import { isValidAppName } from '@slipway/contract';

const ADJECTIVES = [
  'sleepy', 'quiet', 'rapid', 'ancient', 'brave', 'calm', 'shiny', 'frozen', 'gentle', 'hidden',
  'lively', 'misty', 'polar', 'proud', 'rocky', 'sandy', 'secret', 'silent', 'sunny', 'wild',
  'young', 'golden', 'damp', 'dry', 'fast', 'floating', 'glacial', 'mighty', 'murmuring', 'stormy',
];
const NOUNS = [
  'river', 'mountain', 'meadow', 'forest', 'harbor', 'island', 'lake', 'ocean', 'plateau', 'ridge',
  'shore', 'spire', 'springs', 'stream', 'summit', 'thicket', 'tundra', 'valley', 'wave', 'woodland',
  'brook', 'canyon', 'cliffs', 'coast', 'dawn', 'desert', 'dusk', 'falls', 'garden', 'reef',
];

/** `random(n)` returns an integer in [0, n). */
export function generateAppName(random: (n: number) => number = randomInt): string {
  const adjective = ADJECTIVES[random(ADJECTIVES.length)];
  const noun = NOUNS[random(NOUNS.length)];
  const digits = String(random(9000) + 1000);
  return `${adjective}-${noun}-${digits}`;
}

export function appNameProblem(name: string): string | undefined {
  if (isValidAppName(name)) return undefined;
  return 'Name must start with a letter, end with a letter or digit and can only contain lowercase letters, digits, and dashes (3 to 30 characters).';
}
