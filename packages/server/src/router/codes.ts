/**
 * The router's error codes: status, log level and description. Descriptions come from the one
 * platform table (@slipway/contract PLATFORM_ERRORS).
 */
import { PLATFORM_ERRORS } from '@slipway/contract';

export type RouterCode = 'H10' | 'H11' | 'H12' | 'H13' | 'H14' | 'H15' | 'H18' | 'H19' | 'H20' | 'H21' | 'H27' | 'H28' | 'H80' | 'H99';

export interface RouterCodeInfo {
  desc: string;
  status: number;
  at: 'info' | 'warning' | 'error';
  /** `sock=` extra on the log line. */
  sock?: 'client' | 'backend';
}

const p = PLATFORM_ERRORS;
export const ROUTER_CODES: Readonly<Record<RouterCode, RouterCodeInfo>> = {
  H10: { desc: p.H10.desc, status: 503, at: 'error' },
  H11: { desc: p.H11.desc, status: 503, at: 'error' },
  H12: { desc: p.H12.desc, status: 503, at: 'error' },
  H13: { desc: p.H13.desc, status: 503, at: 'error' },
  H14: { desc: p.H14.desc, status: 503, at: 'error' },
  H15: { desc: p.H15.desc, status: 503, at: 'error' },
  H18: { desc: p.H18.desc, status: 503, at: 'error', sock: 'backend' },
  H19: { desc: p.H19.desc, status: 503, at: 'error' },
  H20: { desc: p.H20.desc, status: 503, at: 'error' },
  H21: { desc: p.H21.desc, status: 503, at: 'error' },
  H27: { desc: p.H27.desc, status: 499, at: 'warning', sock: 'client' },
  H28: { desc: p.H28.desc, status: 499, at: 'error', sock: 'client' },
  H80: { desc: p.H80.desc, status: 503, at: 'info' },
  H99: { desc: p.H99.desc, status: 503, at: 'error' },
};
