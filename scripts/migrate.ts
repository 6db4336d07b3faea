/** `npm run migrate`: applies the schema to DATABASE_URL (idempotent). */
import { migrate } from '#io/migrate';
import { cliPool } from './lib/cli-env.ts';

const pool = await cliPool();
const client = await pool.connect();
try {
  const { applied, nameKeysFilled } = await migrate(client);
  process.stderr.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
  if (nameKeysFilled > 0)
    process.stderr.write(`name key filled on ${nameKeysFilled} older lead${nameKeysFilled === 1 ? '' : 's'}\n`);
} finally {
  client.release();
  await pool.end();
}
