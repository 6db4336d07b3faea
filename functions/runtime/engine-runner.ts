import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { engineFailed, type FileError, isFinal } from '#core/contract/errors';
import type { EngineSummary } from '#core/contract/result';
import { type EngineOutput, type EngineProgress, LeadEngine } from '#core/engine/lead-engine';
import {
  type EngineSetup,
  type FromWorker,
  reviveError,
  type ToWorker,
  transferableBuffer,
} from './engine-protocol.ts';

export type { EngineSetup } from './engine-protocol.ts';

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

/** Runs one engine step inline; anything but our own typed errors is an engine failure. */
function guarded<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (isFinal(error)) throw error;
    throw engineFailed(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** Why a worker stopped, in words (its heap limit is the likely one). */
const workerStopped = (error: Error & { code?: string }): FileError =>
  engineFailed(
    error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'the worker ran out of memory' : `the worker failed: ${error.message}`,
    { cause: error },
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
          throw reviveError(message.error);
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
