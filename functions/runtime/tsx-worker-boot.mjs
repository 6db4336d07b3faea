// Development and tests run TypeScript: a worker registers tsx before loading its entry, because
// Node 20 workers do not inherit the main thread's --import loaders. Bundles never load this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
