import { describe, expect, it } from 'vitest';
import { ProgressReporter } from '#service/progress';

describe('ProgressReporter', () => {
  it('writes at most once per interval and never after stop()', async () => {
    // Prepare
    let now = 0;
    const writes: number[] = [];
    const reporter = new ProgressReporter(
      async (rows) => void writes.push(rows),
      1000,
      () => {},
      () => now,
    );
    // Act
    await reporter.start();
    for (let rows = 1; rows <= 50; rows++) {
      now += 100;
      reporter.update(rows * 10);
      await Promise.resolve();
    }
    await reporter.stop();
    reporter.update(9999);
    // Assess: t=0 start, then one write per 1000 ms of the 5000 ms
    expect(writes).toEqual([0, 100, 200, 300, 400, 500]);
  });

  it('waits for the write in flight on stop() and reports write failures without throwing', async () => {
    let release!: () => void;
    const errors: unknown[] = [];
    const reporter = new ProgressReporter(
      () => new Promise<void>((r) => (release = r)),
      0,
      (e) => errors.push(e),
    );
    const started = reporter.start();
    let stopped = false;
    const stopping = reporter.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await Promise.all([started, stopping]);
    expect(stopped).toBe(true);
    const failing = new ProgressReporter(
      () => Promise.reject(new Error('S3 down')),
      0,
      (e) => errors.push(e),
    );
    await failing.start();
    expect(errors).toHaveLength(1);
  });
});
