/**
 * Latency histograms: DDSketch (`@datadog/sketches-js`) with a 1 % relative-accuracy guarantee,
 * mergeable without loss, so 10 s intervals roll up into 1 min and 10 min ones by merging — a
 * percentile is never averaged (docs/metrics.md says why DDSketch and what it costs).
 *
 * On the wire and in the store a sketch is `SketchData`: its summary numbers plus its non-empty
 * bins as base64 varints, in runs of adjacent bins (gap, run length, counts). The library's protobuf form writes every bin between
 * the lowest and the highest as an 8-byte double; ours writes the filled ones in 1–3 bytes.
 * Values are milliseconds and never negative (a negative duration is clamped to 0).
 */
import { DDSketch } from '@datadog/sketches-js';

export const RELATIVE_ACCURACY = 0.01;

export interface SketchData {
  /** Number of values. */
  n: number;
  /** Sum of the values (ms). */
  sum: number;
  min: number;
  max: number;
  /** Values of exactly 0. */
  zero: number;
  /** Non-empty bins: base64 of varints, runs of adjacent bins (zigzag gap, length, counts…). */
  bins: string;
}

export const EMPTY_SKETCH: Readonly<SketchData> = Object.freeze({ n: 0, sum: 0, min: 0, max: 0, zero: 0, bins: '' });

export function newSketch(): DDSketch {
  return new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
}

/** Adds one duration (ms) to `sketch`; negative and non-finite values count as 0. */
export function addValue(sketch: DDSketch, ms: number): void {
  sketch.accept(ms > 0 && Number.isFinite(ms) ? ms : 0);
}

function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
const unzigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

export function encodeSketch(sketch: DDSketch): SketchData {
  if (sketch.count === 0) return { ...EMPTY_SKETCH };
  // Runs of adjacent filled bins: (zigzag gap from the previous run's end, run length, counts…).
  const bytes: number[] = [];
  const { bins, offset } = sketch.store;
  let next = 0;
  let i = 0;
  while (i < bins.length) {
    if (!bins[i]) {
      i += 1;
      continue;
    }
    let end = i;
    while (end < bins.length && bins[end]) end += 1;
    writeVarint(bytes, zigzag(i + offset - next));
    writeVarint(bytes, end - i);
    for (let k = i; k < end; k++) writeVarint(bytes, Math.round(bins[k]));
    next = end + offset;
    i = end;
  }
  return { n: sketch.count, sum: sketch.sum, min: sketch.min, max: sketch.max, zero: sketch.zeroCount, bins: Buffer.from(bytes).toString('base64') };
}

export function decodeSketch(data: SketchData): DDSketch {
  const sketch = newSketch();
  if (data.n === 0) return sketch;
  const bytes = Buffer.from(data.bins, 'base64');
  let pos = 0;
  const read = () => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (pos >= bytes.length) throw new Error('sketch: truncated bins');
      const b = bytes[pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  };
  let next = 0;
  while (pos < bytes.length) {
    const first = next + unzigzag(read());
    const length = read();
    for (let k = 0; k < length; k++) sketch.store.add(first + k, read());
    next = first + length;
  }
  sketch.zeroCount = data.zero;
  sketch.count = data.n;
  sketch.sum = data.sum;
  sketch.min = data.min;
  sketch.max = data.max;
  return sketch;
}

/** One sketch holding every value of `parts` (exact merge of the bins). */
export function mergeSketches(parts: readonly SketchData[]): SketchData {
  const filled = parts.filter((p) => p.n > 0);
  if (filled.length === 0) return { ...EMPTY_SKETCH };
  if (filled.length === 1) return { ...filled[0] };
  const into = decodeSketch(filled[0]);
  for (const p of filled.slice(1)) into.merge(decodeSketch(p));
  return encodeSketch(into);
}

/** The value at quantile `q` (0–1), within 1 % of the exact one; the true max for q = 1; null when empty. */
export function quantile(data: SketchData | DDSketch, q: number): number | null {
  const sketch = data instanceof DDSketch ? data : decodeSketch(data);
  if (sketch.count === 0) return null;
  if (q >= 1) return sketch.max;
  if (q <= 0) return sketch.min;
  return Math.min(sketch.max, Math.max(sketch.min, sketch.getValueAtQuantile(q)));
}
