import type { Clock } from '../clock.js';
import type { Db } from '../db.js';

export interface RepoDeps {
  db: Db;
  clock: Clock;
}
