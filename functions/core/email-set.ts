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
 * million distinct e-mails has odds of about 1 in 500) in 6 bytes per slot, at most 60% full. Above
 * `maxKeys` it stops tracking and answers "maybe", so memory stays bounded whatever the file size.
 */
export class EmailRepeatDetector {
  readonly #maxKeys: number;
  #hi: Uint32Array;
  #lo: Uint16Array;
  #size = 0;
  #repeated = false;
  #overflow = false;

  constructor({ maxKeys = MAX_TRACKED_EMAILS, preallocate = false }: EmailRepeatDetectorOptions = {}) {
    this.#maxKeys = maxKeys;
    const slots = preallocate ? slotsFor(maxKeys) : 1 << 12;
    this.#hi = new Uint32Array(slots);
    this.#lo = new Uint16Array(slots);
  }

  /** Table size in slots (6 bytes each). */
  get slots(): number {
    return this.#hi.length;
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
      this.#hi = new Uint32Array(0);
      this.#lo = new Uint16Array(0);
    } else if (this.#size * 5 > this.#hi.length * 3) this.#grow();
  }

  /** Returns true when the hash was already present. */
  #insert(hi: number, lo: number): boolean {
    const mask = this.#hi.length - 1;
    let slot = (Math.imul(hi ^ (lo << 16), 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      const h = this.#hi[slot]!;
      const l = this.#lo[slot]!;
      if (h === 0 && l === 0) {
        this.#hi[slot] = hi;
        this.#lo[slot] = lo;
        return false;
      }
      if (h === hi && l === lo) return true;
      slot = (slot + 1) & mask;
    }
  }

  #grow(): void {
    const oldHi = this.#hi;
    const oldLo = this.#lo;
    this.#hi = new Uint32Array(oldHi.length * 2);
    this.#lo = new Uint16Array(oldLo.length * 2);
    for (let i = 0; i < oldHi.length; i++) {
      if (oldHi[i] !== 0 || oldLo[i] !== 0) this.#insert(oldHi[i]!, oldLo[i]!);
    }
  }
}
