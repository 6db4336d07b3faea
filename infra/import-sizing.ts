/**
 * The import function's size, in one place: the CDK stack deploys it and the bench (scripts/bench.ts)
 * measures the importer at the CPU share it buys. No CDK imports, so plain scripts can load it.
 */

/** Memory of the import function (see README, Benchmarks, for how it was chosen). */
export const IMPORT_MEMORY_MB = 1769;

/** Lambda gives one full vCPU at 1,769 MB and CPU in proportion to memory below that. */
export const LAMBDA_MB_PER_VCPU = 1769;

/** Share of one CPU a function of `memoryMb` gets. */
export const cpuShareOf = (memoryMb: number): number => memoryMb / LAMBDA_MB_PER_VCPU;
