import { describe, expect, it } from 'vitest';
import { EmailRepeatDetector } from '#core/email-set';

describe('EmailRepeatDetector', () => {
  it('is certain there are no repeats among many distinct e-mails (the table grows as needed)', () => {
    const detector = new EmailRepeatDetector();
    for (let i = 0; i < 50_000; i++) detector.add(`person${i}@example${i % 97}.com`);
    expect(detector.noRepeats).toBe(true);
  });

  it('keeps a million e-mails apart that differ only at even or only at odd positions (no false "maybe")', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const digits = (i: number) => [0, 1, 2, 3].map((k) => alphabet[Math.floor(i / 36 ** k) % 36]!);
    const detector = new EmailRepeatDetector({ preallocate: true });
    for (let i = 0; i < 1_000_000; i++) {
      const [a, b, c, d] = digits(i);
      detector.add(`${a}x${b}x${c}x${d}x@example.com`); // varies at positions 0, 2, 4, 6
    }
    expect(detector.noRepeats).toBe(true);
    const odd = new EmailRepeatDetector({ preallocate: true });
    for (let i = 0; i < 1_000_000; i++) {
      const [a, b, c, d] = digits(i);
      odd.add(`x${a}x${b}x${c}x${d}@example.com`); // and at 1, 3, 5, 7
    }
    expect(odd.noRepeats).toBe(true);
  });

  it('notices a repeat that differs only in case', () => {
    const detector = new EmailRepeatDetector();
    for (let i = 0; i < 1000; i++) detector.add(`person${i}@example.com`);
    detector.add('PERSON500@Example.COM');
    expect(detector.noRepeats).toBeUndefined();
  });

  it('stops tracking above its bound and then answers "unknown"', () => {
    const detector = new EmailRepeatDetector({ maxKeys: 100 });
    for (let i = 0; i < 101; i++) detector.add(`p${i}@example.com`);
    expect(detector.noRepeats).toBeUndefined();
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
    expect(fixed.noRepeats).toBe(true);
    expect(growing.noRepeats).toBe(true);
    growing.add('Person59999@EXAMPLE.com'); // one past the maximum: no longer tracked
    expect(growing.noRepeats).toBeUndefined();
    const small = new EmailRepeatDetector({ maxKeys: 60_000, preallocate: true });
    for (let i = 0; i < 1000; i++) small.add(`person${i}@example.com`);
    expect(small.noRepeats).toBe(true);
    small.add('Person999@EXAMPLE.com'); // asked again after more e-mails: sorted again
    expect(small.noRepeats).toBeUndefined();
  });
});
