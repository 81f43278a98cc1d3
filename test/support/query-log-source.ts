import path from 'node:path';
import { expect } from 'vitest';

/**
 * With the query log on (QUERY_LOG_FILE, src/db/query-log.ts), each statement is marked with the
 * test file that caused it; the processes a test starts inherit the mark.
 */
if (process.env.QUERY_LOG_FILE) {
  const testPath = expect.getState().testPath;
  if (testPath) process.env.QUERY_LOG_SOURCE = path.relative(process.cwd(), testPath);
}
