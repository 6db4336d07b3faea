/** Writes a deterministic lead CSV: `tsx scripts/generate-leads.ts <rows> <file> [invalidRate] [seed]`. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { generateLeadCsv } from './lib/lead-generator.ts';

const [rows = '1000', file = 'leads.csv', invalidRate = '0', seed = '42'] = process.argv.slice(2);
const out = createWriteStream(file);
for (const chunk of generateLeadCsv({ rows: Number(rows), invalidRate: Number(invalidRate), seed: Number(seed) })) {
  if (!out.write(chunk)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');
