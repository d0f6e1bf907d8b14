/**
 * Formation scaling, decided purely: absolute (`2`, `"2"`) or relative (`"+2"`, `"-1"`) quantities,
 * sizes validated against Heroku's table. The service applies the plan in one transaction.
 */
import { DYNO_SIZES, findDynoSize } from '@slipway/contract';

export interface ScaleUpdate {
  type: string;
  quantity?: number | string;
  /** A size name (`standard-2x`, `Standard-2X`, `2X`). */
  size?: string;
}

export interface CurrentFormation {
  type: string;
  quantity: number;
  size: string;
}

export interface PlannedFormation {
  type: string;
  quantity: number;
  /** Display name, e.g. `Standard-2X`. */
  size: string;
}

export type ScalePlan =
  | { ok: true; changes: PlannedFormation[] }
  | { ok: false; reason: 'unknown_type' | 'invalid'; field: string; message: string };

export const MAX_QUANTITY = 100;

/** Parses a quantity: integers are absolute; strings may be `"3"`, `"+2"` or `"-1"`. */
export function parseQuantity(q: number | string): { relative: boolean; value: number } | undefined {
  if (typeof q === 'number') return Number.isInteger(q) ? { relative: false, value: q } : undefined;
  const m = /^\s*([+-]?)(\d{1,6})\s*$/.exec(q);
  if (!m) return undefined;
  const n = Number(m[2]);
  if (m[1] === '') return { relative: false, value: n };
  return { relative: true, value: m[1] === '-' ? -n : n };
}

export function sizeList(): string {
  return DYNO_SIZES.map((s) => s.display).join(', ');
}

export function planScale(current: CurrentFormation[], updates: ScaleUpdate[]): ScalePlan {
  const byType = new Map(current.map((f) => [f.type, { ...f }]));
  const touched: string[] = [];
  for (const [i, u] of updates.entries()) {
    const f = byType.get(u.type);
    if (!f) {
      return { ok: false, reason: 'unknown_type', field: `updates[${i}].type`, message: `Couldn't find that process type (${u.type}).` };
    }
    if (u.quantity !== undefined) {
      const q = parseQuantity(u.quantity);
      if (!q) {
        return { ok: false, reason: 'invalid', field: `updates[${i}].quantity`, message: `Invalid quantity "${String(u.quantity)}" for ${u.type}: expected an integer or a relative change like "+2" or "-1".` };
      }
      const next = q.relative ? f.quantity + q.value : q.value;
      if (next < 0) {
        return { ok: false, reason: 'invalid', field: `updates[${i}].quantity`, message: `Cannot scale ${u.type} to ${next}: the quantity must not be negative.` };
      }
      if (next > MAX_QUANTITY) {
        return { ok: false, reason: 'invalid', field: `updates[${i}].quantity`, message: `Cannot scale ${u.type} to ${next}: the maximum is ${MAX_QUANTITY}.` };
      }
      f.quantity = next;
    }
    if (u.size !== undefined) {
      const size = findDynoSize(u.size);
      if (!size) {
        return { ok: false, reason: 'invalid', field: `updates[${i}].size`, message: `Invalid dyno size "${u.size}". Available sizes: ${sizeList()}.` };
      }
      f.size = size.display;
    }
    if (!touched.includes(u.type)) touched.push(u.type);
  }
  return {
    ok: true,
    changes: touched.map((t) => {
      const f = byType.get(t)!;
      return { type: f.type, quantity: f.quantity, size: displaySize(f.size) };
    }),
  };
}

/** `standard-1x` → `Standard-1X`; unknown names pass through. */
export function displaySize(size: string): string {
  return findDynoSize(size)?.display ?? size;
}

/** `Scaled to web@3:Standard-1X worker@1:Standard-1X` (the platform line, without the user). */
export function scaleLine(formation: PlannedFormation[]): string {
  const parts = [...formation].sort((a, b) => a.type.localeCompare(b.type)).map((f) => `${f.type}@${f.quantity}:${displaySize(f.size)}`);
  return `Scaled to ${parts.join(' ')}`;
}
