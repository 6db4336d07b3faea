/**
 * The import function's size, in one place: the CDK stack deploys it and the bench (scripts/bench.ts)
 * measures the importer at the CPU share it buys. No CDK imports, so plain scripts can load it.
 */

/**
 * Memory of the import function (see README, Benchmarks, for how it was chosen): one whole vCPU, the
 * cheapest size that met 1.2x `psql \copy` in both windows of the memory runs; 1024 MB sits on it (1.20x).
 */
export const IMPORT_MEMORY_MB = 1769;

/** Lambda gives one full vCPU at 1,769 MB and CPU in proportion to memory below that. */
export const LAMBDA_MB_PER_VCPU = 1769;

/** Share of one CPU a function of `memoryMb` gets. */
export const cpuShareOf = (memoryMb: number): number => memoryMb / LAMBDA_MB_PER_VCPU;

/**
 * Whether the import parses in a worker thread at a CPU share (`ENGINE_WORKER`). A worker only pays
 * when there is more than one CPU to overlap it with: at one vCPU or less the two threads take turns,
 * and measured at 1,769 MB the worker cost 0.5-0.7 CPU-s per million leads more than inline, and time.
 */
export const engineWorkerAt = (cpuShare: number | null): 'on' | 'off' =>
  cpuShare === null || cpuShare > 1 ? 'on' : 'off';
