import { describe, expect, it } from 'vitest';
import { EmailRepeatDetector } from '#core/email-set';

describe('EmailRepeatDetector', () => {
  it('is certain there are no repeats among many distinct e-mails (the table grows as needed)', () => {
    const detector = new EmailRepeatDetector();
    for (let i = 0; i < 50_000; i++) detector.add(`person${i}@example${i % 97}.com`);
    expect(detector.noRepeats).toBe(true);
  });

  it('notices a repeat that differs only in case', () => {
    const detector = new EmailRepeatDetector();
    for (let i = 0; i < 1000; i++) detector.add(`person${i}@example.com`);
    detector.add('PERSON500@Example.COM');
    expect(detector.noRepeats).toBeUndefined();
  });

  it('stops tracking above its bound and then answers "unknown"', () => {
    const detector = new EmailRepeatDetector(100);
    for (let i = 0; i < 101; i++) detector.add(`p${i}@example.com`);
    expect(detector.noRepeats).toBeUndefined();
  });
});
