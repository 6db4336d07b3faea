/** Distinct e-mails tracked per file; above it the answer is "maybe" and the table is dropped. */
export const MAX_TRACKED_EMAILS = 1_250_000;

export interface EmailRepeatDetectorOptions {
  maxKeys?: number;
  /**
   * Allocate the list for `maxKeys` at once (10 MB at the default) instead of doubling it as
   * e-mails arrive: memory is then the same for every file size, with no peak where the old and
   * new lists coexist. For large files; small ones grow from 32 KB.
   */
  preallocate?: boolean;
}

const INITIAL_CAPACITY = 1 << 12;

/**
 * Remembers a 53-bit hash of each e-mail key to tell, at the end of a file, whether any e-mail
 * appeared twice in it. "No" is certain (then PostgreSQL skips its own in-file check, ~1.5 s per
 * million rows); "maybe" sends the file through that check (a false "maybe" for a million distinct
 * e-mails has odds of about 1 in 18,000). The hashes are appended in order and grouped once at the
 * end (hasRepeat): measured, tracking with a hash table cost 0.5 CPU-s per million e-mails, nearly
 * all of it cache misses at random slots, and sorting the list at the end about half as much. Above
 * `maxKeys` it stops tracking and answers "maybe", so memory stays bounded whatever the file size.
 */
export class EmailRepeatDetector {
  readonly #maxKeys: number;
  #hashes: Float64Array;
  #size = 0;
  #overflow = false;
  /** The answer once sorted; cleared by add(). */
  #answer: boolean | undefined;

  constructor({ maxKeys = MAX_TRACKED_EMAILS, preallocate = false }: EmailRepeatDetectorOptions = {}) {
    this.#maxKeys = maxKeys;
    this.#hashes = new Float64Array(preallocate ? maxKeys : Math.min(INITIAL_CAPACITY, maxKeys));
  }

  /** Hashes the list holds before it must grow (8 bytes each). */
  get capacity(): number {
    return this.#hashes.length;
  }

  /** true when no e-mail was seen twice; undefined when that is not known. Checks what it holds once per answer. */
  noRepeats(): boolean | undefined {
    if (this.#overflow) return undefined;
    if (this.#answer === undefined) this.#answer = !hasRepeat(this.#hashes, this.#size);
    return this.#answer ? true : undefined;
  }

  add(email: string): void {
    this.addHash(emailHash(email));
  }

  /** add() for a hash already taken (emailHash, or asciiEmailHash over the same e-mail's bytes). */
  addHash(hash: number): void {
    if (this.#overflow) return;
    if (this.#size === this.#maxKeys) {
      this.#overflow = true;
      this.#hashes = new Float64Array(0);
      return;
    }
    if (this.#size === this.#hashes.length) this.#grow();
    this.#hashes[this.#size++] = hash;
    this.#answer = undefined;
  }

  #grow(): void {
    const grown = new Float64Array(Math.min(this.#hashes.length * 2, this.#maxKeys));
    grown.set(this.#hashes);
    this.#hashes = grown;
  }
}

/** Values per bucket, on average, in hasRepeat: a few compares each, and a count table 1/32 of the values' size. */
const PER_BUCKET = 8;
/**
 * A bucket this full means the hashes are not spread (an uploader can search for e-mails whose hashes
 * share their top bits): compared pairwise it would take quadratic time, so the values are sorted instead.
 */
const MAX_BUCKET = 64;

/**
 * Whether a value occurs twice among the first `size` hashes, without sorting them (a sort of a
 * million took ~120 ms): the hashes are uniform 53-bit integers, so their top bits spread them evenly
 * over buckets; one counting pass and one scatter group them by bucket, and equal values can only
 * share a bucket, where a handful are compared with each other. Hashes that crowd one bucket (chosen
 * to) are sorted instead. The grouped copy is transient: 8 bytes per hash, freed at once.
 */
export function hasRepeat(hashes: Float64Array, size: number): boolean {
  if (size < 2) return false;
  const bits = Math.max(0, Math.ceil(Math.log2(size / PER_BUCKET)));
  const scale = 2 ** (bits - 53);
  const ends = new Int32Array(2 ** bits);
  for (let i = 0; i < size; i++) ends[Math.floor(hashes[i]! * scale)]!++;
  let total = 0;
  for (let b = 0; b < ends.length; b++) {
    total += ends[b]!;
    ends[b] = total;
  }
  // Filled from each bucket's end down, so `ends[b]` ends up where bucket b starts.
  const grouped = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const hash = hashes[i]!;
    grouped[--ends[Math.floor(hash * scale)]!] = hash;
  }
  for (let b = 0; b < ends.length; b++) {
    const to = b + 1 < ends.length ? ends[b + 1]! : size;
    if (to - ends[b]! > MAX_BUCKET) return sortedHasRepeat(grouped);
    for (let i = ends[b]!; i < to; i++) for (let j = i + 1; j < to; j++) if (grouped[i] === grouped[j]) return true;
  }
  return false;
}

/** hasRepeat by sorting (in place): O(n log n) whatever the values. */
function sortedHasRepeat(values: Float64Array): boolean {
  values.sort();
  for (let i = 1; i < values.length; i++) if (values[i] === values[i - 1]) return true;
  return false;
}

/** murmur3's 32-bit finalizer: every input bit reaches every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A 53-bit hash of the e-mail, ASCII case folded (e-mails that pass validation are ASCII): an integer
 * a double holds exactly. Two 32-bit lanes over the characters, then folded into each other and
 * finalized: the raw lanes are far from uniform over structured addresses (user1@, user2@, ...),
 * which made the odds of a false "maybe" ten times worse than the width promises.
 */
export function emailHash(email: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  // Two characters per step (both 16-bit code units in one word): half the multiplications.
  const n = email.length;
  for (let i = 0; i < n; i += 2) {
    let c = email.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    let d = i + 1 < n ? email.charCodeAt(i + 1) : 0;
    if (d >= 65 && d <= 90) d += 32;
    const w = (c << 16) | d;
    h1 = Math.imul(h1 ^ w, 0x01000193) ^ (h1 >>> 13);
    h2 = Math.imul(h2 ^ w, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return finish(h1, h2, n);
}

/** emailHash of an ASCII e-mail held as bytes `[from, to)`: the same value, without a string. */
export function asciiEmailHash(bytes: Uint8Array, from: number, to: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = from; i < to; i += 2) {
    let c = bytes[i]!;
    if (c >= 65 && c <= 90) c += 32;
    let d = i + 1 < to ? bytes[i + 1]! : 0;
    if (d >= 65 && d <= 90) d += 32;
    const w = (c << 16) | d;
    h1 = Math.imul(h1 ^ w, 0x01000193) ^ (h1 >>> 13);
    h2 = Math.imul(h2 ^ w, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return finish(h1, h2, to - from);
}

function finish(h1: number, h2: number, n: number): number {
  const high = fmix32(h1 ^ Math.imul(h2 ^ n, 0x9e3779b1));
  const low = fmix32(h2 ^ Math.imul(high, 0x85ebca6b));
  return high * 2097152 + (low >>> 11);
}
