import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Throwaway databases on a server, for tests, the demo and the benchmark: each gets a
 * database of its own, so they can run side by side on one server (the machine's, or the
 * embedded one) without seeing each other's rows.
 */
export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createScratchDatabase(
  serverUrl: string,
  options: { prefix?: string; template?: string } = {},
): Promise<ScratchDatabase> {
  const name = `${options.prefix ?? 'tm_scratch'}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(
    serverUrl,
    `create database ${pg.escapeIdentifier(name)}${options.template ? ` template ${pg.escapeIdentifier(options.template)}` : ''}`,
  );
  return {
    name,
    url: databaseUrl(serverUrl, name),
    drop: () => dropDatabase(serverUrl, name),
  };
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await adminQuery(serverUrl, `drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
}

async function adminQuery(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
