/** Distinct e-mails tracked per file; above it the answer is "maybe" and the table is dropped. */
export const MAX_TRACKED_EMAILS = 1_250_000;

export interface EmailRepeatDetectorOptions {
  maxKeys?: number;
  /**
   * Allocate the table for `maxKeys` at once (12.6 MB at the default) instead of doubling it as
   * e-mails arrive: memory is then the same for every file size, with no rehash peak where the
   * old and new tables coexist. For large files; small ones grow from 48 KB.
   */
  preallocate?: boolean;
}

/** Smallest power-of-two table that holds `keys` at most 60% full. */
const slotsFor = (keys: number) => {
  let slots = 1 << 12;
  while (keys * 5 > slots * 3) slots *= 2;
  return slots;
};

/**
 * Remembers 64-bit hashes of e-mail keys to tell, at the end of a file, whether any e-mail
 * appeared twice in it. "No" is certain (then PostgreSQL skips its own in-file check, ~1.5 s per
 * million rows); "maybe" sends the file through that check. 48-bit hashes (a false "maybe" for a
 * million distinct e-mails has odds of about 1 in 500) in 6 bytes per slot, at most 60% full, the three
 * 16-bit words of a slot side by side: one cache miss per e-mail (two arrays cost two). Above
 * `maxKeys` it stops tracking and answers "maybe", so memory stays bounded whatever the file size.
 */
export class EmailRepeatDetector {
  readonly #maxKeys: number;
  /** Slot i is words 3i (high 16 bits of hi), 3i + 1 (low 16 bits of hi) and 3i + 2 (lo). */
  #words: Uint16Array;
  #size = 0;
  #repeated = false;
  #overflow = false;

  constructor({ maxKeys = MAX_TRACKED_EMAILS, preallocate = false }: EmailRepeatDetectorOptions = {}) {
    this.#maxKeys = maxKeys;
    const slots = preallocate ? slotsFor(maxKeys) : 1 << 12;
    this.#words = new Uint16Array(slots * 3);
  }

  /** Table size in slots (6 bytes each). */
  get slots(): number {
    return this.#words.length / 3;
  }

  /** true when no e-mail was seen twice; undefined when that is not known. */
  get noRepeats(): boolean | undefined {
    return this.#repeated || this.#overflow ? undefined : true;
  }

  add(email: string): void {
    if (this.#repeated || this.#overflow) return;
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    // Two characters per step (both 16-bit code units in one word): half the multiplications.
    const n = email.length;
    for (let i = 0; i < n; i += 2) {
      let c = email.charCodeAt(i);
      if (c >= 65 && c <= 90) c += 32; // ASCII lower case: e-mails that pass validation are ASCII
      let d = i + 1 < n ? email.charCodeAt(i + 1) : 0;
      if (d >= 65 && d <= 90) d += 32;
      const w = (c << 16) | d;
      // The shifts feed high bits back down, so the upper character reaches every bit.
      h1 = Math.imul(h1 ^ w, 0x01000193) ^ (h1 >>> 13);
      h2 = Math.imul(h2 ^ w, 0x5bd1e995) ^ (h2 >>> 15);
    }
    const hi = h1 >>> 0;
    // 0/0 marks an empty slot.
    const lo = h2 & 0xffff || (hi === 0 ? 1 : 0);
    if (this.#insert(hi, lo)) {
      this.#repeated = true;
      return;
    }
    if (++this.#size > this.#maxKeys) {
      this.#overflow = true;
      this.#words = new Uint16Array(0);
    } else if (this.#size * 5 > this.slots * 3) this.#grow();
  }

  /** Returns true when the hash was already present. */
  #insert(hi: number, lo: number): boolean {
    const words = this.#words;
    const mask = words.length / 3 - 1;
    const a = hi >>> 16;
    const b = hi & 0xffff;
    let slot = (Math.imul(hi ^ (lo << 16), 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      const at = slot * 3;
      const x = words[at]!;
      const y = words[at + 1]!;
      const z = words[at + 2]!;
      if (x === 0 && y === 0 && z === 0) {
        words[at] = a;
        words[at + 1] = b;
        words[at + 2] = lo;
        return false;
      }
      if (x === a && y === b && z === lo) return true;
      slot = (slot + 1) & mask;
    }
  }

  #grow(): void {
    const old = this.#words;
    this.#words = new Uint16Array(old.length * 2);
    for (let at = 0; at < old.length; at += 3) {
      const x = old[at]!;
      const y = old[at + 1]!;
      const z = old[at + 2]!;
      if (x !== 0 || y !== 0 || z !== 0) this.#insert(((x << 16) | y) >>> 0, z);
    }
  }
}
