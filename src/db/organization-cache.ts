/**
 * Organizations read outside a transaction, kept in this process: every Slack request looks its
 * organization up by workspace, and every job by id, and the row changes rarely (settings, the
 * team channel, an install). Issue 20 measured that lookup as one of the five or six statements of
 * a `/team list`.
 *
 * Correct across instances: a trigger (migration 0024) NOTIFYs `organization_changed` with the
 * id on every committed UPDATE or DELETE, by whatever process, and each cache LISTENs on a
 * connection of its own and forgets the row when it hears it. While that connection is down
 * (a failover, a restart of the server) nothing is served from memory and it reconnects; a read
 * that was in flight when a notification came is not kept. So a cached organization is at most
 * as old as the time a notification takes to arrive after its commit.
 *
 * What it does not do: serve a read inside a transaction. The rules of a change lock and read the
 * row in their own transaction (lockOrganization), so no decision that the database would refuse
 * is ever taken on a cached row. Members are never cached: who may do what is read at the moment
 * of the action.
 */
import pg from 'pg';
import type { Logger } from '../logger.js';
import type { DbOrTrx } from './database.js';
import type { Organization } from './schema.js';

const CHANNEL = 'organization_changed';
const RECONNECT_MS = 1_000;
const MAX_ENTRIES = 10_000;

export class OrganizationCache {
  private readonly byId = new Map<string, Organization>();
  private readonly idBySlackTeam = new Map<string, string>();
  /** Bumped by every notification: a read that started before one is not kept. */
  private generation = 0;
  private listening = false;
  private stopped = false;
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly url: string, private readonly log: Logger) {}

  /** Starts listening; a failure to connect is logged and retried (meanwhile every read goes to the database). */
  async start(): Promise<void> {
    await this.connect().catch((err: unknown) => this.down(err));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.listening = false;
    this.clear();
    await this.client?.end().catch(() => undefined);
  }

  /** Whether reads are served from memory now (the LISTEN connection is up). */
  get active(): boolean {
    return this.listening;
  }

  async organizationById(id: string, load: () => Promise<Organization | undefined>): Promise<Organization | undefined> {
    if (!this.listening) return load();
    return this.byId.get(id) ?? this.keep(load);
  }

  async organizationBySlackTeam(slackTeamId: string, load: () => Promise<Organization | undefined>): Promise<Organization | undefined> {
    if (!this.listening) return load();
    const id = this.idBySlackTeam.get(slackTeamId);
    const hit = id ? this.byId.get(id) : undefined;
    return hit ?? this.keep(load);
  }

  /** Forgets one organization (or all): what a notification does, and what a change in this process does before its commit. */
  forget(id?: string): void {
    this.generation++;
    if (!id) return this.clear();
    const row = this.byId.get(id);
    this.byId.delete(id);
    if (row?.slack_team_id) this.idBySlackTeam.delete(row.slack_team_id);
  }

  private async keep(load: () => Promise<Organization | undefined>): Promise<Organization | undefined> {
    const generation = this.generation;
    const row = await load();
    if (row && this.listening && generation === this.generation) {
      if (this.byId.size >= MAX_ENTRIES) this.clear();
      const frozen = Object.freeze({ ...row });
      this.byId.set(row.id, frozen);
      if (row.slack_team_id) this.idBySlackTeam.set(row.slack_team_id, row.id);
      return frozen;
    }
    return row;
  }

  private clear(): void {
    this.byId.clear();
    this.idBySlackTeam.clear();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (n) => {
      if (n.channel === CHANNEL) this.forget(n.payload || undefined);
    });
    client.on('error', (err) => this.down(err));
    client.on('end', () => this.down());
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (this.stopped || this.client !== client) return;
    // Anything read before we listened may be stale: start empty.
    this.forget();
    this.listening = true;
  }

  private down(err?: unknown): void {
    const was = this.listening;
    this.listening = false;
    this.forget();
    if (this.stopped) return;
    if (was || err) this.log.warn({ error: err instanceof Error ? err.message : undefined }, 'organization cache: lost its LISTEN connection; reading from the database until it is back');
    const dead = this.client;
    this.client = undefined;
    void dead?.end().catch(() => undefined);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.connect().then(
        () => this.log.info('organization cache: listening again'),
        (e: unknown) => this.down(e),
      );
    }, RECONNECT_MS);
    this.timer.unref();
  }
}

const caches = new WeakMap<object, OrganizationCache>();

/** Serves this database handle's organization reads (outside transactions) from `cache`. */
export function attachOrganizationCache(db: object, cache: OrganizationCache): void {
  caches.set(db, cache);
}

/**
 * The cache of this handle, or undefined: a transaction (its own object, never attached) always
 * reads the database, as does a handle nobody attached a cache to (the CLI, most tests).
 */
export function organizationCacheOf(db: DbOrTrx): OrganizationCache | undefined {
  return db.isTransaction ? undefined : caches.get(db);
}

const writtenIn = new WeakMap<object, Set<string>>();

/**
 * Says that `db` wrote this organization's row (the repository's writers call it). Outside a
 * transaction the write is committed already and the row is forgotten now; inside one it is
 * remembered until the change that owns the transaction has ended (organizationsWrittenIn),
 * so this process's next read sees its own write without waiting for the notification, and a
 * change that did not touch the row (a role change, an invitation) keeps it cached.
 */
export function organizationWritten(db: DbOrTrx, id: string): void {
  if (!db.isTransaction) return organizationCacheOf(db)?.forget(id);
  let ids = writtenIn.get(db);
  if (!ids) writtenIn.set(db, (ids = new Set()));
  ids.add(id);
}

/** The organizations a transaction wrote (organizationWritten), once its change has ended. */
export function organizationsWrittenIn(trx: object | undefined): readonly string[] {
  return trx ? [...(writtenIn.get(trx) ?? [])] : [];
}

