/**
 * `tsx scripts/engine-cpu.ts <file.csv> [runs] [--text]`: CPU seconds of the lead engine alone (decode,
 * parse, validate, COPY rows; no S3, no PostgreSQL) over a file, inline on one thread, per run; `--text`
 * turns the byte path off (the output hash must not change). For profiling:
 * `npx esbuild scripts/engine-cpu.ts --bundle --platform=node --format=esm --outfile=.local/engine-cpu.mjs`
 * then `node --cpu-prof --cpu-prof-dir=.local/prof .local/engine-cpu.mjs <file.csv>`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_LIMITS, type EngineOutput, LeadEngine } from '#core/engine/lead-engine';
import { parseImportOptions } from '#core/contract/options';

const args = process.argv.slice(2);
const byteRecords = !args.includes('--text');
const [file, runs = '3'] = args.filter((arg) => arg !== '--text');
if (!file) throw new Error('usage: engine-cpu <file.csv> [runs]');
const bytes = readFileSync(file);
const BATCH = 256 * 1024;
for (let r = 0; r < Number(runs); r++) {
  const engine = new LeadEngine('00000000-0000-4000-8000-000000000000', parseImportOptions({}), {
    ...DEFAULT_LIMITS,
    preallocateEmailTable: true,
    byteRecords,
  });
  // Each output is hashed and released as it comes, as the COPY stream would consume it, so the engine
  // writes into reused arenas as in an import; only the engine's own calls are timed.
  const hash = createHash('sha256');
  let copyBytes = 0;
  let cpu = 0;
  const timed = <T>(step: () => T): T => {
    const before = process.cpuUsage();
    const out = step();
    const used = process.cpuUsage(before);
    cpu += used.user + used.system;
    return out;
  };
  const consume = (out: EngineOutput) => {
    for (const part of out.copy) {
      copyBytes += part.bytes.length;
      hash.update(part.bytes);
      part.release?.();
    }
    hash.update(out.rejected ?? '');
  };
  for (let at = 0; at < bytes.length; at += BATCH) consume(timed(() => engine.write(bytes.subarray(at, at + BATCH))));
  const last = timed(() => engine.end());
  consume(last);
  hash.update(JSON.stringify(last.summary));
  process.stdout.write(
    `run ${r + 1}: ${(cpu / 1e6).toFixed(2)} CPU s, ${last.summary.total_leads} rows, ${copyBytes} COPY bytes, output ${hash.digest('hex').slice(0, 12)}\n`,
  );
}
