import { FileError } from './errors.ts';

export const deadlineExceeded = (): FileError =>
  new FileError(
    'DEADLINE_EXCEEDED',
    'The import ran out of time before the function deadline and was rolled back; split the file or raise the function timeout.',
  );

/**
 * The one deadline of an import. Streams honour `signal` (it aborts when time is up, also while
 * COPY waits on the database or S3), statements get `remainingMs()` as their timeout, and steps
 * call `check()` between them. Without a clock (the CLI) it never fires.
 */
export class Deadline {
  readonly #timeLeftMs: (() => number) | undefined;
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(timeLeftMs?: () => number) {
    this.#timeLeftMs = timeLeftMs;
    const left = timeLeftMs?.();
    this.#timer =
      left === undefined ? undefined : setTimeout(() => this.#controller.abort(deadlineExceeded()), Math.max(0, left));
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Milliseconds left (at least 1), or undefined when there is no deadline. */
  remainingMs(): number | undefined {
    return this.#timeLeftMs ? Math.max(1, Math.floor(this.#timeLeftMs())) : undefined;
  }

  get expired(): boolean {
    return this.#controller.signal.aborted || (this.#timeLeftMs !== undefined && this.#timeLeftMs() <= 0);
  }

  check(): void {
    if (this.expired) throw deadlineExceeded();
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}
