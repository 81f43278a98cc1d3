import type { Migration } from 'kysely';
import * as m0001 from './2026_11_27_0001_foundation.js';
import * as m0002 from './2026_11_27_0002_roles_settings.js';
import * as m0003 from './2026_11_27_0003_invitations.js';
import * as m0004 from './2026_11_27_0004_removals.js';
import * as m0005 from './2026_11_27_0005_activity_api.js';
import * as m0006 from './2026_11_27_0006_audit_indexes.js';
import * as m0007 from './2026_11_27_0007_member_counts.js';
import * as m0008 from './2026_11_28_0008_invitation_daily_count.js';
import * as m0009 from './2026_12_07_0009_slack_installations.js';
import * as m0010 from './2026_12_07_0010_organization_purges.js';
import * as m0011 from './2026_12_07_0011_worker_heartbeats.js';
import * as m0012 from './2026_12_07_0012_webhooks.js';
import * as m0013 from './2026_12_07_0013_scim.js';
import * as m0015 from './2026_12_07_0015_operations.js';
import * as m0017 from './2026_12_07_0017_operations_round2.js';
import * as m0018 from './2026_12_07_0018_slack_guests.js';
import * as m0019 from './2026_12_07_0019_temporary_owners.js';
import * as m0020 from './2026_12_07_0020_restore.js';
import * as m0021 from './2026_12_07_0021_directory_settings.js';
import * as m0024 from './2026_12_07_0024_organization_notify.js';

/**
 * Every migration, listed statically: Kysely's FileMigrationProvider loads files by
 * path at run time, which fails for .ts files under vitest and in a bundled build.
 * Names sort in the order they must run; add new ones at the end.
 */
export const migrations: Record<string, Migration> = {
  '2026_11_27_0001_foundation': m0001,
  '2026_11_27_0002_roles_settings': m0002,
  '2026_11_27_0003_invitations': m0003,
  '2026_11_27_0004_removals': m0004,
  '2026_11_27_0005_activity_api': m0005,
  '2026_11_27_0006_audit_indexes': m0006,
  '2026_11_27_0007_member_counts': m0007,
  '2026_11_28_0008_invitation_daily_count': m0008,
  '2026_12_07_0009_slack_installations': m0009,
  '2026_12_07_0010_organization_purges': m0010,
  '2026_12_07_0011_worker_heartbeats': m0011,
  '2026_12_07_0012_webhooks': m0012,
  '2026_12_07_0013_scim': m0013,
  '2026_12_07_0015_operations': m0015,
  '2026_12_07_0017_operations_round2': m0017,
  '2026_12_07_0018_slack_guests': m0018,
  '2026_12_07_0019_temporary_owners': m0019,
  '2026_12_07_0020_restore': m0020,
  '2026_12_07_0021_directory_settings': m0021,
  '2026_12_07_0024_organization_notify': m0024,
};
