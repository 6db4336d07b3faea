import { describe, expect, it } from 'vitest';
import { EmailRepeatDetector, emailHash, hasRepeat } from '#core/rows/email-set';

describe('EmailRepeatDetector', () => {
  it('is certain there are no repeats among many distinct e-mails (the table grows as needed)', () => {
    const detector = new EmailRepeatDetector();
    for (let i = 0; i < 50_000; i++) detector.add(`person${i}@example${i % 97}.com`);
    expect(detector.noRepeats()).toBe(true);
  });

  it('keeps a million e-mails apart that differ only at even or only at odd positions (no false "maybe")', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const digits = (i: number) => [0, 1, 2, 3].map((k) => alphabet[Math.floor(i / 36 ** k) % 36]!);
    const detector = new EmailRepeatDetector({ preallocate: true });
    for (let i = 0; i < 1_000_000; i++) {
      const [a, b, c, d] = digits(i);
      detector.add(`${a}x${b}x${c}x${d}x@example.com`); // varies at positions 0, 2, 4, 6
    }
    expect(detector.noRepeats()).toBe(true);
    const odd = new EmailRepeatDetector({ preallocate: true });
    for (let i = 0; i < 1_000_000; i++) {
      const [a, b, c, d] = digits(i);
      odd.add(`x${a}x${b}x${c}x${d}@example.com`); // and at 1, 3, 5, 7
    }
    expect(odd.noRepeats()).toBe(true);
  });

  it('notices a repeat that differs only in case', () => {
    const detector = new EmailRepeatDetector();
    for (let i = 0; i < 1000; i++) detector.add(`person${i}@example.com`);
    detector.add('PERSON500@Example.COM');
    expect(detector.noRepeats()).toBeUndefined();
  });

  it('stops tracking above its bound and then answers "unknown"', () => {
    const detector = new EmailRepeatDetector({ maxKeys: 100 });
    for (let i = 0; i < 101; i++) detector.add(`p${i}@example.com`);
    expect(detector.noRepeats()).toBeUndefined();
  });

  it('preallocated, holds its maximum without growing and answers as the growing table does', () => {
    const fixed = new EmailRepeatDetector({ maxKeys: 60_000, preallocate: true });
    const growing = new EmailRepeatDetector({ maxKeys: 60_000 });
    expect(fixed.capacity).toBe(60_000);
    expect(growing.capacity).toBe(1 << 12);
    for (let i = 0; i < 60_000; i++) {
      fixed.add(`person${i}@example.com`);
      growing.add(`person${i}@example.com`);
    }
    expect(fixed.capacity).toBe(60_000);
    expect(growing.capacity).toBe(60_000); // doubled, but never past the maximum
    expect(fixed.noRepeats()).toBe(true);
    expect(growing.noRepeats()).toBe(true);
    growing.add('Person59999@EXAMPLE.com'); // one past the maximum: no longer tracked
    expect(growing.noRepeats()).toBeUndefined();
    const small = new EmailRepeatDetector({ maxKeys: 60_000, preallocate: true });
    for (let i = 0; i < 1000; i++) small.add(`person${i}@example.com`);
    expect(small.noRepeats()).toBe(true);
    small.add('Person999@EXAMPLE.com'); // asked again after more e-mails: sorted again
    expect(small.noRepeats()).toBeUndefined();
  });
});

describe('emailHash', () => {
  it('spreads structured addresses evenly: collisions of its top 32 bits stay near a random 32-bit value', () => {
    const n = 200_000;
    const expected = (n * n) / 2 / 2 ** 32; // about 4.7
    const shapes = [
      (i: number) => `user${i}@example.com`,
      (i: number) => `${String(i).padStart(8, '0')}@x.io`,
      (i: number) => `${i.toString(16)}@mail.example.org`,
      (i: number) =>
        `${String.fromCharCode(97 + (i % 26), 97 + (Math.floor(i / 26) % 26))}.${Math.floor(i / 676)}@corp.example.com`,
    ];
    for (const shape of shapes) {
      const top = new Float64Array(n);
      for (let i = 0; i < n; i++) top[i] = Math.floor(emailHash(shape(i)) / 2097152);
      top.sort();
      let collisions = 0;
      for (let i = 1; i < n; i++) if (top[i] === top[i - 1]) collisions++;
      // The lanes before mixing collide 3 to 10 times as often as a random value would.
      expect(collisions, shape(1)).toBeLessThan(expected * 3);
    }
  });

  it('is a 53-bit integer that ignores ASCII case', () => {
    const h = emailHash('Person@Example.COM');
    expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
    expect(h).toBe(emailHash('person@example.com'));
    expect(h).not.toBe(emailHash('person@example.co'));
  });
});

describe('hasRepeat', () => {
  /** A deterministic generator of uniform 53-bit integers (xorshift, two 32-bit halves). */
  function* uniform53(seed: number): Generator<number> {
    let x = seed >>> 0 || 1;
    const next = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    for (;;) yield (next() >>> 11) * 2 ** 32 + next();
  }
  const take = (n: number, seed: number) => {
    const values = new Float64Array(n);
    const source = uniform53(seed);
    for (let i = 0; i < n; i++) values[i] = source.next().value!;
    return values;
  };
  const bySorting = (values: Float64Array, size: number) => {
    const sorted = values.slice(0, size).sort();
    return sorted.some((v, i) => i > 0 && v === sorted[i - 1]);
  };

  it('answers as sorting does, for every size from 0 to 40 and a repeat at every pair of places', () => {
    for (let size = 0; size <= 40; size++) {
      const values = take(size, size + 1);
      expect(hasRepeat(values, size)).toBe(bySorting(values, size));
      for (let i = 0; i < size; i++)
        for (let j = i + 1; j < size; j++) {
          const copy = values.slice();
          copy[j] = copy[i]!;
          expect(hasRepeat(copy, size)).toBe(true);
        }
    }
  });

  it('finds one repeat among 200,000 values wherever it is, and none when there is none', () => {
    const values = take(200_000, 7);
    expect(hasRepeat(values, values.length)).toBe(false);
    for (const [i, j] of [
      [0, 1],
      [0, 199_999],
      [123_456, 54_321],
      [199_998, 199_999],
    ] as const) {
      const copy = values.slice();
      copy[j] = copy[i]!;
      expect(hasRepeat(copy, copy.length)).toBe(true);
    }
  });

  it('looks only at the first `size` values, and handles the extremes of the range', () => {
    const values = Float64Array.from([0, 2 ** 53 - 1, 2 ** 52, 1, 2 ** 53 - 2, 0]);
    expect(hasRepeat(values, 5)).toBe(false);
    expect(hasRepeat(values, 6)).toBe(true);
    // Neighbours in value share a bucket; only equality counts.
    expect(hasRepeat(Float64Array.from([5, 6, 7, 5 + 2 ** 40]), 4)).toBe(false);
  });
});

describe('hasRepeat on hashes chosen to crowd one bucket', () => {
  it('stays fast and right when every value shares its top bits (sorted instead of compared pairwise)', () => {
    // 400,000 distinct values under 2^33: all in bucket 0. Compared pairwise that is 8e10 compares,
    // minutes, far past the test's timeout; sorted, milliseconds.
    const size = 400_000;
    const values = Float64Array.from({ length: size }, (_, i) => i * 7919 + 13);
    expect(hasRepeat(values, size)).toBe(false);
    const copy = Float64Array.from({ length: size }, (_, i) => i * 7919 + 13);
    copy[size - 1] = copy[5]!;
    expect(hasRepeat(copy, size)).toBe(true);
  });
});
