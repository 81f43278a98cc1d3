/**
 * The Citus readiness check over a query log (docs/operations.md): every statement the app sent
 * touching a table with an organization_id column is filtered by it. Usage:
 *   QUERY_LOG_FILE=/tmp/queries.jsonl DATABASE_URL=… npx vitest run test/e2e/…
 *   DATABASE_URL=… node --import tsx scripts/check-query-log.ts /tmp/queries.jsonl
 * The distributed tables are read from a scratch database migrated to the current schema.
 */
import pino from 'pino';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createScratchDatabase } from '../src/db/scratch.js';
import { checkQueryLog, loadParser, readDistributedTables, readQueryLog } from '../test/support/tenant-filter.js';

const file = process.argv[2];
const serverUrl = process.env.DATABASE_URL;
if (!file || !serverUrl) {
  process.stderr.write('usage: DATABASE_URL=postgres://… node --import tsx scripts/check-query-log.ts <query log file>\n');
  process.exit(2);
}
const scratch = await createScratchDatabase(serverUrl, { prefix: 'tm_query_check' });
let distributed: Set<string>;
try {
  const { db, pool } = openDatabase(scratch.url);
  await migrateToLatest(db, pool, pino({ level: 'silent' }));
  distributed = await readDistributedTables(db);
  await db.destroy();
} finally {
  await scratch.drop();
}
await loadParser();
const result = checkQueryLog(readQueryLog(file), distributed);
for (const v of result.violations) {
  process.stdout.write(`\n${v.problems.join('; ')}\n  from ${v.origin} (${v.source})\n  ${v.sql.replace(/\s+/g, ' ')}\n`);
}
process.stdout.write(`\n${result.checked} statements checked, ${result.allowed} allowed (migrations and the listed cross-tenant statements), ${result.violations.length} not filtered by organization_id\n`);
process.exit(result.violations.length > 0 ? 1 : 0);
