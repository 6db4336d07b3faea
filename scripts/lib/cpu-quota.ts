/**
 * A CPU quota for the bench's importer child, so it runs with the share of a core the deployed
 * function gets (Lambda: memory / 1,769 MB of one vCPU). A fresh cgroup holds the quota: cgroup v2
 * `cpu.max` when the unified hierarchy has the cpu controller, else v1 `cpu.cfs_quota_us` under
 * /sys/fs/cgroup/cpu. The child enters it before node starts (a shell writes its own pid, then execs),
 * so start-up, the main thread and the worker thread are all counted against the quota.
 */
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const PERIOD_US = 100_000;
const V2_ROOT = '/sys/fs/cgroup';
const V1_ROOT = '/sys/fs/cgroup/cpu';

export interface CpuQuota {
  /** Share of one CPU, e.g. 0.58. */
  readonly share: number;
  readonly kind: 'cgroup v2 cpu.max' | 'cgroup v1 cpu.cfs_quota_us';
  /** The command wrapped so the process joins the cgroup before it runs: [file, args]. */
  wrap(file: string, args: readonly string[]): [string, string[]];
  /** Removes the cgroup (its processes must have exited). */
  remove(): Promise<void>;
  /** The same, synchronously, for process 'exit' (a crashed bench must not leave its cgroup behind). */
  removeSync(): void;
}

const readable = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** Creates the cgroup, or throws an Error saying why a quota is not possible here. */
export async function createCpuQuota(share: number, name = `lead-import-bench-${process.pid}`): Promise<CpuQuota> {
  if (!(share > 0)) throw new Error(`--cpu-share must be a positive number or "none", got ${share}`);
  const quotaUs = Math.round(share * PERIOD_US);
  const controllers = readable(join(V2_ROOT, 'cgroup.controllers'));
  let dir: string;
  let kind: CpuQuota['kind'];
  try {
    if (controllers?.split(/\s+/).includes('cpu')) {
      // The parent must hand the cpu controller down to its children.
      await writeFile(join(V2_ROOT, 'cgroup.subtree_control'), '+cpu').catch(() => {});
      dir = join(V2_ROOT, name);
      await mkdir(dir);
      await writeFile(join(dir, 'cpu.max'), `${quotaUs} ${PERIOD_US}`);
      kind = 'cgroup v2 cpu.max';
    } else if (existsSync(join(V1_ROOT, 'cpu.cfs_quota_us'))) {
      dir = join(V1_ROOT, name);
      await mkdir(dir);
      await writeFile(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      await writeFile(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
      kind = 'cgroup v1 cpu.cfs_quota_us';
    } else {
      throw new Error('neither cgroup v2 with the cpu controller nor cgroup v1 /sys/fs/cgroup/cpu is mounted');
    }
  } catch (cause) {
    throw new Error(
      `Cannot run the importer under a CPU quota of ${share} CPU: ${(cause as Error).message}. ` +
        'The bench needs a writable cgroup (v2 cpu.max or v1 cpu.cfs_quota_us, usually as root); ' +
        'run with --cpu-share none for unbounded figures.',
      { cause },
    );
  }
  const procs = join(dir, 'cgroup.procs');
  return {
    share,
    kind,
    wrap: (file, args) => ['/bin/sh', ['-c', `echo $$ > '${procs}' && exec "$0" "$@"`, file, ...args]],
    remove: () => rmdir(dir),
    removeSync: () => {
      if (existsSync(dir)) rmdirSync(dir);
    },
  };
}
