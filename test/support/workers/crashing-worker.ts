/**
 * A stand-in for the engine worker that behaves like the real one for its first batch and then
 * crashes the way `workerData.crash` says: `throw` (an uncaught exception) or `exit` (the thread
 * ends mid-file). The runner must turn either into ENGINE_FAILED.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LeadEngine } from '#core/engine/lead-engine';
import { type EngineSetup, type FromWorker, ownedParts, type ToWorker } from '#runtime/engine-protocol';

const { setup } = workerData as { setup: EngineSetup };
const crash = process.env.CRASHING_WORKER_MODE === 'exit' ? 'exit' : 'throw';
const engine = new LeadEngine(setup.importId, setup.options, setup.limits);
let batches = 0;
parentPort!.on('message', (message: ToWorker) => {
  if (message.type === 'chunk' && ++batches === 1) {
    const written = engine.write(message.bytes);
    const output = { ...written, copy: ownedParts(written.copy) };
    parentPort!.postMessage({ type: 'output', output } satisfies FromWorker);
    return;
  }
  if (crash === 'exit') process.exit(3);
  throw new Error('simulated engine bug');
});
