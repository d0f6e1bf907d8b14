import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatSchedule, nextRun, parseSchedule } from './schedule.js';

const at = (iso: string) => new Date(iso);

describe('scheduler schedules', () => {
  it('parses Heroku\'s frequencies and a cron expression into canonical text', () => {
    const table: [string, string][] = [
      ['every 10 minutes', 'every 10 minutes'],
      ['Every  10 minutes', 'every 10 minutes'],
      ['every hour at :30', 'every hour at :30'],
      ['every day at 4:30', 'every day at 04:30'],
      ['*/5 * * * 1-5', '*/5 * * * 1-5'],
    ];
    for (const [input, canonical] of table) assert.equal(formatSchedule(parseSchedule(input)), canonical, input);
  });

  it('refuses what Heroku Scheduler cannot run, naming the field', () => {
    for (const bad of ['', 'every 5 minutes', 'every hour at :07', 'every hour at :60', 'every day at 24:00', 'every day at 10:15', '61 * * * *', 'soon', '* * *']) {
      assert.throws(() => parseSchedule(bad), (err: Error & { code?: string; details?: { field?: string } }) => {
        assert.equal(err.code, 'invalid_params', bad);
        assert.equal(err.details?.field, 'schedule');
        return true;
      });
    }
    assert.throws(() => parseSchedule(42), /schedule/);
  });

  it('computes the next slot strictly after now, in UTC, never making up missed runs', () => {
    const table: [string, string, string][] = [
      ['every 10 minutes', '2026-12-07T17:03:12Z', '2026-12-07T17:10:00.000Z'],
      ['every 10 minutes', '2026-12-07T17:10:00Z', '2026-12-07T17:20:00.000Z'],
      ['every 10 minutes', '2026-12-07T23:55:00Z', '2026-12-08T00:00:00.000Z'],
      ['every hour at :30', '2026-12-07T17:30:00Z', '2026-12-07T18:30:00.000Z'],
      ['every hour at :00', '2026-12-07T17:59:59Z', '2026-12-07T18:00:00.000Z'],
      ['every day at 04:30', '2026-12-07T04:29:00Z', '2026-12-07T04:30:00.000Z'],
      ['every day at 04:30', '2026-12-07T05:00:00Z', '2026-12-08T04:30:00.000Z'],
      ['0 9 * * 1', '2026-12-07T09:00:00Z', '2026-12-14T09:00:00.000Z'],
    ];
    for (const [schedule, now, next] of table) {
      assert.equal(nextRun(parseSchedule(schedule), at(now)).toISOString(), next, `${schedule} after ${now}`);
    }
  });
});
