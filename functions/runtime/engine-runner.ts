import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { FileError, RejectionError, type FileErrorCode, type RejectionCode } from '#core/contract/errors';
import { LeadEngine, type EngineLimits, type EngineOutput, type EngineProgress } from '#core/engine/lead-engine';
import type { EngineSummary } from '#core/contract/result';
import type { CopyPart } from '#core/copy/copy-output';
import type { ImportOptions } from '#core/contract/options';
import type { LoadedRuleSet } from '#core/contract/rule-set';

/**
 * Runs a LeadEngine over a byte stream and yields its output. Two ways, same results:
 * inline (small files: no thread start-up cost) or in a worker thread, so parsing and validation
 * overlap with the main thread streaming S3 bytes in and COPY bytes out.
 */
export interface EngineRunner {
  /** Where the engine runs: a worker thread, or the caller's own. */
  readonly kind: 'worker' | 'inline';
  run(source: AsyncIterable<Uint8Array>): AsyncGenerator<EngineOutput>;
  /** Set once run() has finished. */
  readonly summary: EngineSummary | undefined;
  /** Counts so far, also after a failure. */
  readonly progress: EngineProgress;
}

export interface EngineSetup {
  importId: string;
  options: ImportOptions;
  limits: EngineLimits;
  /** The caller's rule set, compiled by the engine (in the worker when threaded). */
  ruleSet?: LoadedRuleSet | undefined;
}

/** The worker is fed about this much at a time: fewer messages, still smooth backpressure (inline takes the source chunks as they come). */
const BATCH_BYTES = 256 * 1024;
/** Batches handed to the worker and not yet answered. */
const MAX_IN_FLIGHT = 4;

/** `workerEntry` replaces the worker's module (tests: a worker that crashes). */
export function createEngineRunner(setup: EngineSetup, threaded: boolean, workerEntryUrl?: URL): EngineRunner {
  const entry = threaded ? (workerEntryUrl ?? workerEntry()) : undefined;
  // Without the worker file (a bundle built without it) the import still runs, on one thread.
  return entry ? new ThreadRunner(setup, entry) : new InlineRunner(setup);
}

async function* batches(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    size += chunk.byteLength;
    if (size >= BATCH_BYTES) {
      yield Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(parts, size);
}

class InlineRunner implements EngineRunner {
  readonly kind = 'inline';
  readonly #engine: LeadEngine;
  summary: EngineSummary | undefined;
  constructor(setup: EngineSetup) {
    this.#engine = new LeadEngine(setup.importId, setup.options, setup.limits, setup.ruleSet?.rules);
  }
  get progress(): EngineProgress {
    return this.#engine.progress;
  }
  async *run(source: AsyncIterable<Uint8Array>): AsyncGenerator<EngineOutput> {
    const engine = this.#engine;
    // The source's own chunks: the engine slices them itself, and joining them would copy every byte.
    for await (const chunk of source) yield guarded(() => engine.write(chunk));
    const last = guarded(() => engine.end());
    this.summary = last.summary;
    yield last;
  }
}

export type ToWorker = { type: 'chunk'; bytes: Uint8Array } | { type: 'end' };
export type FromWorker =
  | { type: 'output'; output: EngineOutput }
  | { type: 'summary'; output: EngineOutput; summary: EngineSummary }
  | { type: 'error'; error: SerializedError; progress: EngineProgress };

/**
 * Moves the parts' memory to the other thread instead of copying it, for each buffer that owns its
 * whole ArrayBuffer (large Buffers do; small ones may share Node's pool and are copied).
 */
export const transferable = (parts: readonly { bytes: Uint8Array }[]): ArrayBuffer[] =>
  parts.flatMap(({ bytes }) => transferableBuffer(bytes));

/**
 * The parts, each in a buffer of its own and without a release call (a function cannot be posted):
 * a part that views a buffer the engine writes again (#core/copy/copy-output's arena) is copied first and
 * released, so posting it moves exactly its bytes and the arena stays with the engine.
 */
export const ownedParts = (parts: readonly CopyPart[]): CopyPart[] =>
  parts.map(({ bytes, linesSoFar, release }) => {
    if (!release && transferableBuffer(bytes).length > 0) return { bytes, linesSoFar };
    const owned = Buffer.allocUnsafeSlow(bytes.byteLength);
    owned.set(bytes);
    release?.();
    return { bytes: owned, linesSoFar };
  });

export const transferableBuffer = (bytes: Uint8Array): ArrayBuffer[] =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? [bytes.buffer]
    : [];

export interface SerializedError {
  kind: 'FileError' | 'RejectionError' | 'Error';
  code?: string;
  message: string;
  row?: number | undefined;
  column?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

/**
 * The engine failing in a way it does not report as a file problem (a bug, or memory exhausted): the
 * same file would fail the same way again, so it is final, never retried.
 */
export const engineFailed = (what: string, cause?: unknown): FileError =>
  new FileError(
    'ENGINE_FAILED',
    `The importer stopped while reading the file (${what}); nothing was imported. Try again, or split the file; if it keeps happening, report it with the import id.`,
    cause === undefined ? {} : { cause },
  );

/** Runs one engine step inline; anything but our own typed errors is an engine failure. */
function guarded<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof FileError || error instanceof RejectionError) throw error;
    throw engineFailed(error instanceof Error ? error.message : String(error), error);
  }
}

function revive(e: SerializedError): Error {
  const context = { row: e.row, column: e.column, detail: e.detail };
  if (e.kind === 'FileError') return new FileError(e.code as FileErrorCode, e.message, context);
  if (e.kind === 'RejectionError') return new RejectionError(e.code as RejectionCode, e.message, context);
  return engineFailed(e.message.split('\n')[0] ?? 'unknown error');
}

/** Why a worker stopped, in words (its heap limit is the likely one). */
const workerStopped = (error: Error & { code?: string }): FileError =>
  engineFailed(
    error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'the worker ran out of memory' : `the worker failed: ${error.message}`,
    error,
  );

const EMPTY_PROGRESS: EngineProgress = {
  total_leads: 0,
  failed_count: 0,
  error_details: [],
  errors_truncated: false,
  encoding: undefined,
  delimiter: undefined,
};

class ThreadRunner implements EngineRunner {
  readonly kind = 'worker';
  readonly #setup: EngineSetup;
  readonly #entry: URL;
  summary: EngineSummary | undefined;
  progress: EngineProgress = EMPTY_PROGRESS;

  constructor(setup: EngineSetup, entry: URL) {
    this.#setup = setup;
    this.#entry = entry;
  }

  async *run(source: AsyncIterable<Uint8Array>): AsyncGenerator<EngineOutput> {
    // The worker serves files large enough to need a thread: its e-mail repeat list is sized once, so
    // memory does not step up as the file grows.
    const setup = { ...this.#setup, limits: { ...this.#setup.limits, preallocateEmailTable: true } };
    const worker = startWorker(setup, this.#entry);
    const inbox: FromWorker[] = [];
    let wake: (() => void) | undefined;
    let crashed: Error | undefined;
    worker.on('message', (message: FromWorker) => {
      inbox.push(message);
      wake?.();
    });
    worker.on('error', (error) => {
      crashed = workerStopped(error);
      wake?.();
    });
    worker.on('exit', (code) => {
      crashed ??= engineFailed(`the worker exited with code ${code}`);
      wake?.();
    });
    const next = async (): Promise<FromWorker> => {
      while (inbox.length === 0) {
        if (crashed) throw crashed;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      return inbox.shift()!;
    };
    const input = batches(source)[Symbol.asyncIterator]();
    let inFlight = 0;
    let inputDone = false;
    try {
      for (;;) {
        while (!inputDone && inFlight < MAX_IN_FLIGHT) {
          const item = await input.next();
          if (item.done) {
            worker.postMessage({ type: 'end' } satisfies ToWorker);
            inputDone = true;
          } else {
            worker.postMessage({ type: 'chunk', bytes: item.value } satisfies ToWorker, transferableBuffer(item.value));
            inFlight++;
          }
        }
        const message = await next();
        if (message.type === 'error') {
          this.progress = message.progress;
          throw revive(message.error);
        }
        this.progress = { ...this.progress, total_leads: message.output.leadsRead };
        if (message.type === 'summary') {
          this.summary = message.summary;
          yield message.output;
          return;
        }
        inFlight--;
        yield message.output;
      }
    } finally {
      // Stops reading the source (destroying it) and the worker on every path.
      await input.return?.(undefined);
      worker.removeAllListeners('exit');
      await worker.terminate();
    }
  }
}

/** Next to a bundle (Lambda, bench) the worker is its own small file; in development it is TypeScript. */
export const WORKER_BUNDLE_NAME = 'lead-engine-worker.mjs';

function workerEntry(): URL | undefined {
  const url = new URL(
    import.meta.url.endsWith('.ts') ? './engine-worker.ts' : `./${WORKER_BUNDLE_NAME}`,
    import.meta.url,
  );
  return existsSync(url) ? url : undefined;
}

function startWorker(setup: EngineSetup, entry: URL): Worker {
  // Bounded heaps: the worker's garbage is short-lived rows, so a bounded heap keeps RSS flat. 192 MB, not
  // less: a record may hold a million characters (MAX_RECORD_CHARS), and the tokenizer, the row and its
  // rejected-rows line each hold a copy; 80 MB ran out on 100 rows of 1,000,000-letter cells.
  const resourceLimits = { maxOldGenerationSizeMb: 192 };
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: { setup }, resourceLimits });
  return new Worker(new URL('./tsx-worker-boot.mjs', import.meta.url), {
    workerData: { setup, entry: entry.href },
    resourceLimits,
  });
}
