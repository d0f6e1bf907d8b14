/**
 * Schedules of the scheduler add-on, as pure functions of text and time.
 *
 * Heroku Scheduler's three frequencies, in UTC as Heroku runs them:
 * - `every 10 minutes`: at :00, :10, :20, :30, :40 and :50 of every hour;
 * - `every hour at :MM`: once an hour, at minute MM (MM a multiple of 10 on Heroku: :00 … :50);
 * - `every day at HH:MM`: once a day, at HH:MM UTC (MM a multiple of 30 on Heroku: 00 or 30).
 * Slipway's extra: a five-field cron expression (`*\/5 * * * 1-5`), also in UTC, parsed by
 * `cron-parser`. Heroku's minute steps are kept for its frequencies so a job reads the same on
 * both; a cron expression is the way to any other minute.
 * Missed runs are not made up: the next run is always the first slot after "now" (Heroku's rule).
 */
import { CronExpressionParser } from 'cron-parser';
import { InvalidParamsError } from '../errors.js';

export type Schedule =
  | { frequency: 'every_10_minutes' }
  | { frequency: 'hourly'; minute: number }
  | { frequency: 'daily'; hour: number; minute: number }
  | { frequency: 'cron'; expression: string };

/** Heroku's allowed minutes for `hourly` (every 10) and `daily` (every 30). */
export const HOURLY_MINUTE_STEP = 10;
export const DAILY_MINUTE_STEP = 30;

const EXAMPLES = '"every 10 minutes", "every hour at :30", "every day at 14:00" or a cron expression such as "*/5 * * * *"';

const pad = (n: number) => String(n).padStart(2, '0');

/** Parses a schedule as the API and the CLI write it; throws a 422-style error naming `schedule`. */
export function parseSchedule(text: unknown): Schedule {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidParamsError(`Missing required param: schedule (${EXAMPLES}).`, 'schedule');
  const t = text.trim().replace(/\s+/g, ' ');
  if (/^every 10 minutes$/i.test(t)) return { frequency: 'every_10_minutes' };
  const hourly = /^every hour at :(\d{2})$/i.exec(t);
  if (hourly) {
    const minute = Number(hourly[1]);
    if (minute > 59 || minute % HOURLY_MINUTE_STEP !== 0) {
      throw new InvalidParamsError(`An hourly job runs at :00, :10, :20, :30, :40 or :50, not :${hourly[1]} (use a cron expression for other minutes).`, 'schedule');
    }
    return { frequency: 'hourly', minute };
  }
  const daily = /^every day at (\d{1,2}):(\d{2})$/i.exec(t);
  if (daily) {
    const hour = Number(daily[1]);
    const minute = Number(daily[2]);
    if (hour > 23 || minute > 59 || minute % DAILY_MINUTE_STEP !== 0) {
      throw new InvalidParamsError(`A daily job runs at HH:00 or HH:30 UTC (HH 00-23), not ${daily[1]}:${daily[2]} (use a cron expression for other times).`, 'schedule');
    }
    return { frequency: 'daily', hour, minute };
  }
  if (t.split(' ').length === 5 && !/^every\b/i.test(t)) {
    try {
      CronExpressionParser.parse(t, { tz: 'UTC', strict: false });
    } catch (err) {
      throw new InvalidParamsError(`Invalid cron expression "${t}": ${(err as Error).message}.`, 'schedule');
    }
    return { frequency: 'cron', expression: t };
  }
  throw new InvalidParamsError(`Invalid schedule "${t}": expected ${EXAMPLES}.`, 'schedule');
}

/** The canonical text of a schedule (what the store keeps and the API shows). */
export function formatSchedule(s: Schedule): string {
  switch (s.frequency) {
    case 'every_10_minutes': return 'every 10 minutes';
    case 'hourly': return `every hour at :${pad(s.minute)}`;
    case 'daily': return `every day at ${pad(s.hour)}:${pad(s.minute)}`;
    case 'cron': return s.expression;
  }
}

/** The cron expression a Heroku frequency amounts to. */
export function toCron(s: Schedule): string {
  switch (s.frequency) {
    case 'every_10_minutes': return '*/10 * * * *';
    case 'hourly': return `${s.minute} * * * *`;
    case 'daily': return `${s.minute} ${s.hour} * * *`;
    case 'cron': return s.expression;
  }
}

/** The first run strictly after `after` (UTC). */
export function nextRun(s: Schedule, after: Date): Date {
  return CronExpressionParser.parse(toCron(s), { tz: 'UTC', currentDate: after }).next().toDate();
}
