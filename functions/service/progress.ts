/**
 * Publishes `processing` snapshots of a running import at a bounded rate (by time, not per row).
 * One write at a time; stop() waits for the write in flight so no snapshot can land after the
 * final result. A failed snapshot write is reported, never fatal: the import matters more.
 */
export class ProgressReporter {
  #rows = 0;
  #lastWrite = 0;
  #inFlight: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly write: (leadsRead: number) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The first snapshot, as soon as the import is claimed: pollers see the file is being worked on. */
  start(): Promise<void> {
    return this.#publish();
  }

  update(leadsRead: number): void {
    this.#rows = leadsRead;
    if (this.#stopped || this.#inFlight || this.now() - this.#lastWrite < this.intervalMs) return;
    void this.#publish();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#inFlight;
  }

  #publish(): Promise<void> {
    this.#lastWrite = this.now();
    const rows = this.#rows;
    this.#inFlight = this.write(rows)
      .catch(this.onError)
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }
}
