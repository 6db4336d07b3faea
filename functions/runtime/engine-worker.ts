/**
 * The lead engine's worker thread: receives byte batches, answers with COPY rows and reports.
 * Kept apart from engine-runner so a bundle can ship it as a small file of its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FileError, RejectionError } from '#core/contract/errors';
import { type EngineOutput, LeadEngine } from '#core/engine/lead-engine';
import {
  ownedParts,
  transferable,
  type EngineSetup,
  type FromWorker,
  type SerializedError,
  type ToWorker,
} from './engine-runner.ts';

const serialize = (error: unknown): SerializedError =>
  error instanceof FileError || error instanceof RejectionError
    ? {
        kind: error.name as 'FileError' | 'RejectionError',
        code: error.code,
        message: error.message,
        row: error.row,
        column: error.column,
        detail: error.detail,
      }
    : { kind: 'Error', message: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) };

/** The output with its COPY parts in buffers of their own, nothing left to release (ownedParts). */
const postable = (output: EngineOutput): EngineOutput => ({ ...output, copy: ownedParts(output.copy) });

const port = parentPort!;
const { setup } = workerData as { setup: EngineSetup };
const engine = new LeadEngine(setup.importId, setup.options, setup.limits, setup.ruleSet?.rules);
port.on('message', (message: ToWorker) => {
  try {
    if (message.type === 'chunk') {
      const output = postable(engine.write(message.bytes));
      port.postMessage({ type: 'output', output } satisfies FromWorker, transferable(output.copy));
    } else {
      const { summary, ...last } = engine.end();
      const output = postable(last);
      port.postMessage({ type: 'summary', output, summary } satisfies FromWorker, transferable(output.copy));
    }
  } catch (error) {
    port.postMessage({ type: 'error', error: serialize(error), progress: engine.progress } satisfies FromWorker);
  }
});
