import { randomUUID } from 'node:crypto';
import type { DbOrTrx } from '../../db/database.js';
import type { AuditEvent, Member, Organization } from '../../db/schema.js';
import { channelQueue, type JobSpec } from '../../jobs/queue.js';
import { findMemberById } from '../../team/member-repository.js';
import { findOrganizationById } from '../../team/organization-repository.js';
import { approvalsChannelOf } from '../../team/removal-outcomes.js';
import type { KnownBlock } from '../../slack/blocks/kit.js';

/**
 * What a Slack renderer works with while it turns one change's audit events into posts: the
 * change's transaction (so it reads the state the change made, and its jobs commit with it), the
 * organization as it is now, the people the events name, and the jobs it queues — all of them
 * handed back at the end (finish), for tellChange to queue with the other tellers' in one statement.
 */
export class Telling {
  private readonly jobs: JobSpec[] = [];
  private readonly people = new Map<string, Member | undefined>();
  /** Whose App Home to refresh: each once per telling (one statement cannot hold a job key twice). */
  private readonly homeUsers = new Set<string>();

  private constructor(
    readonly trx: DbOrTrx,
    readonly organization: Organization,
  ) {}

  static async open(trx: DbOrTrx, organizationId: string): Promise<Telling | undefined> {
    const organization = await findOrganizationById(trx, organizationId);
    return organization ? new Telling(trx, organization) : undefined;
  }

  /** A member as the change left them (read once per telling). */
  async member(id: unknown): Promise<Member | undefined> {
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    if (!this.people.has(id)) this.people.set(id, await findMemberById(this.trx, this.organization.id, id));
    return this.people.get(id);
  }

  /** The member who acted, when a member did. */
  actor(event: AuditEvent): Promise<Member | undefined> {
    return event.actor_type === 'member' ? this.member(event.actor_id) : Promise.resolve(undefined);
  }

  /** A post in the team channel; nothing when none is set (there is nobody to tell). */
  teamChannel(text: string, channel: string | null = this.organization.team_channel_id, blocks?: KnownBlock[]): boolean {
    if (!channel) return false;
    this.post(channel, text, blocks);
    return true;
  }

  /** A post where the owners look: the approvals channel, else the team channel. */
  ownersChannel(text: string): boolean {
    return this.teamChannel(text, approvalsChannelOf(this.organization));
  }

  /** A DM (Slack delivers a post to a user id in the app's DM with them); members not linked to Slack get nothing. */
  dm(member: Pick<Member, 'slack_user_id'> | undefined | null, text: string): boolean {
    if (!member?.slack_user_id) return false;
    this.post(member.slack_user_id, text);
    return true;
  }

  /** App Home refreshes; the job key folds a burst of changes into one publish per person. */
  homes(slackUserIds: Array<string | null | undefined>): void {
    for (const id of slackUserIds) if (id) this.homeUsers.add(id);
  }

  queue(job: JobSpec): void {
    this.jobs.push(job);
  }

  /** Everything told, as jobs (the teller's caller queues them in the change's transaction). */
  finish(): JobSpec[] {
    const homes: JobSpec[] = [...this.homeUsers].map((slackUserId) => ({
      task: 'slack.publish-home',
      payload: { organizationId: this.organization.id, slackUserId },
      options: { jobKey: `home:${this.organization.id}:${slackUserId}` },
    }));
    return [...this.jobs, ...homes];
  }

  /** Each post gets its own delivery id, so it is posted exactly once however often its job is retried (exactly-once.ts). */
  private post(channel: string, text: string, blocks?: KnownBlock[]): void {
    this.queue({
      task: 'slack.post-message',
      payload: { organizationId: this.organization.id, channel, text, ...(blocks ? { blocks } : {}), deliveryId: randomUUID() },
      options: { queueName: channelQueue(channel) },
    });
  }
}

export type Renderer = (telling: Telling, events: readonly AuditEvent[]) => Promise<void>;

/** A renderer that tells of each event on its own (most actions; bulk ones render their events together). */
export const each =
  (render: (t: Telling, event: AuditEvent) => Promise<void>): Renderer =>
  async (t, events) => {
    for (const event of events) await render(t, event);
  };

/** An audit row's `after` / `before` as an object (the column holds JSON). */
export function fields(value: unknown): Record<string, unknown> {
  const parsed = typeof value === 'string' ? safeJson(value) : value;
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
