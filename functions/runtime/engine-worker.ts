/**
 * The lead engine's worker thread: receives byte batches, answers with COPY rows and reports.
 * Kept apart from engine-runner so a bundle can ship it as a small file of its own; the messages
 * are defined in engine-protocol, which both sides import.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LeadEngine } from '#core/engine/lead-engine';
import {
  type EngineSetup,
  type FromWorker,
  postable,
  serializeError,
  type ToWorker,
  transferable,
} from './engine-protocol.ts';

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
    port.postMessage({ type: 'error', error: serializeError(error), progress: engine.progress } satisfies FromWorker);
  }
});
