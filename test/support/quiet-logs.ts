/**
 * Quiet test output: what the code under test writes to stdout and stderr (JSON logs, EMF lines) is
 * held per test and printed only when that test fails, so a failure's own logs are easy to find.
 * Loaded as a vitest setup file in every test worker.
 */
import { beforeEach } from 'vitest';

/** Enough to diagnose a failure; a runaway writer cannot grow memory without bound. */
const MAX_HELD_CHARS = 1024 * 1024;
type Write = typeof process.stdout.write;

let held: { stream: 'stdout' | 'stderr'; text: string }[] = [];
let heldChars = 0;
let dropped = 0;

const original = {
  stdout: process.stdout.write.bind(process.stdout),
  stderr: process.stderr.write.bind(process.stderr),
};

function hold(stream: 'stdout' | 'stderr'): Write {
  return ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (heldChars + text.length <= MAX_HELD_CHARS) {
      held.push({ stream, text });
      heldChars += text.length;
    } else dropped += text.length;
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as Write;
}

process.stdout.write = hold('stdout');
process.stderr.write = hold('stderr');

beforeEach((context) => {
  held = [];
  heldChars = 0;
  dropped = 0;
  context.onTestFailed(() => {
    original.stderr(`\n--- output of failed test "${context.task.name}" ---\n`);
    for (const { stream, text } of held) original[stream](text);
    if (dropped > 0) original.stderr(`--- ${dropped} more characters not kept ---\n`);
  });
});
