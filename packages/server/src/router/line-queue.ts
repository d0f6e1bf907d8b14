/**
 * A bounded FIFO of text lines kept as UTF-8 bytes in one growing buffer: the log shipper's
 * backlog. Holding ~200 ms of router lines as bytes instead of strings or objects means nothing
 * per line survives a young-generation GC (thousands of retained strings per flush did, and made
 * every scavenge copy them). Past `max` lines the oldest are dropped.
 */
export class LineQueue {
  private bytes: Buffer;
  /** Byte offset where line `base + i` ends (its '\n' excluded), for the lines still held. */
  private ends: number[] = [];
  private base = 0;
  /** Sequence number of the oldest line waiting; lines before it were taken or dropped. */
  private first = 0;
  private start = 0;
  private used = 0;

  constructor(private readonly max: number, initialBytes = 64 * 1024) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.base + this.ends.length - this.first;
  }

  /** Appends a line (without its newline); returns whether the oldest line had to be dropped. */
  push(line: string): boolean {
    let dropped = false;
    if (this.length >= this.max) {
      this.dropOldest();
      dropped = true;
    }
    const need = this.used + line.length * 3 + 1;
    if (need > this.bytes.length) this.makeRoom(need);
    this.used += this.bytes.write(line, this.used, 'utf8');
    this.ends.push(this.used);
    this.bytes[this.used++] = 10;
    return dropped;
  }

  /**
   * A copy of the oldest `count` lines (at most), newline-terminated, and the sequence number
   * just past them, for `release` once they were delivered.
   */
  peek(count: number): { body: Buffer; lines: number; upTo: number } {
    const lines = Math.min(count, this.length);
    const upTo = this.first + lines;
    const end = lines === 0 ? this.start : this.ends[upTo - 1 - this.base] + 1;
    return { body: Buffer.from(this.bytes.subarray(this.start, end)), lines, upTo };
  }

  /** Forgets the lines before sequence number `upTo` (delivered); ones dropped meanwhile are gone already. */
  release(upTo: number): void {
    if (upTo <= this.first) return;
    this.first = upTo;
    this.start = this.ends[upTo - 1 - this.base] + 1;
    if (this.length === 0) this.clear();
  }

  private dropOldest(): void {
    this.start = this.ends[this.first - this.base] + 1;
    this.first += 1;
  }

  private clear(): void {
    this.ends = [];
    this.base = this.first;
    this.start = 0;
    this.used = 0;
  }

  /** Moves the held lines to the front, and grows the buffer when they still do not leave room. */
  private makeRoom(need: number): void {
    const shift = this.start;
    const held = this.used - shift;
    const target = held + (need - this.used);
    const bytes = target > this.bytes.length / 2 ? Buffer.allocUnsafe(Math.max(target * 2, this.bytes.length * 2)) : this.bytes;
    this.bytes.copy(bytes, 0, shift, this.used);
    this.bytes = bytes;
    const skip = this.first - this.base;
    const ends = this.ends.length - skip === 0 ? [] : this.ends.slice(skip);
    for (let i = 0; i < ends.length; i++) ends[i] -= shift;
    this.ends = ends;
    this.base = this.first;
    this.start = 0;
    this.used = held;
  }
}
