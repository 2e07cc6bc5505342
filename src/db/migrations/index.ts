import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-core';
import * as m0002 from './0002-risk';
import * as m0003 from './0003-approvals';
import * as m0004 from './0004-routing-evidence';
import * as m0005 from './0005-sla-outbox';
import * as m0006 from './0006-windows';
import * as m0007 from './0007-window-source';
import * as m0008 from './0008-conflicts';
import * as m0009 from './0009-calendar-feeds';
import * as m0010 from './0010-schedule-indexes';
import * as m0011 from './0011-templates-incidents';
import * as m0012 from './0012-approval-content';
import * as m0013 from './0013-conflict-writes';
import * as m0014 from './0014-write-path';
import * as m0015 from './0015-user-time-zone';
import * as m0016 from './0016-audit-search';
import * as m0017 from './0017-notifications';
import * as m0018 from './0018-saved-views';
import * as m0019 from './0019-derived-pair-conflicts';
import * as m0020 from './0020-outbox-delivery';
import * as m0021 from './0021-subscriptions-concerns';
import * as m0022 from './0022-mail';
import * as m0023 from './0023-webhooks';
import * as m0024 from './0024-quiet-hours-digests';
import * as m0025 from './0025-notice-marks';
import * as m0026 from './0026-security-notify';
import * as m0027 from './0027-catalogue';
import * as m0028 from './0028-problems';
import * as m0029 from './0029-reviews';
import * as m0030 from './0030-catalogue-learning';
import * as m0031 from './0031-gate';
import * as m0032 from './0032-deployments';
import * as m0033 from './0033-integrations';
import * as m0035 from './0035-dora-first-deployments';
import * as m0036 from './0036-boards';
import * as m0038 from './0038-board-meetings';
import * as m0039 from './0039-board-recurrence';
import * as m0040 from './0040-deployment-days';
import * as m0041 from './0041-board-indexes';

/** Every migration, in order. Landed migrations are frozen: add a new file instead of editing one. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-core': m0001,
  '0002-risk': m0002,
  '0003-approvals': m0003,
  '0004-routing-evidence': m0004,
  '0005-sla-outbox': m0005,
  '0006-windows': m0006,
  '0007-window-source': m0007,
  '0008-conflicts': m0008,
  '0009-calendar-feeds': m0009,
  '0010-schedule-indexes': m0010,
  '0011-templates-incidents': m0011,
  '0012-approval-content': m0012,
  '0013-conflict-writes': m0013,
  '0014-write-path': m0014,
  '0015-user-time-zone': m0015,
  '0016-audit-search': m0016,
  '0017-notifications': m0017,
  '0018-saved-views': m0018,
  '0019-derived-pair-conflicts': m0019,
  '0020-outbox-delivery': m0020,
  '0021-subscriptions-concerns': m0021,
  '0022-mail': m0022,
  '0023-webhooks': m0023,
  '0024-quiet-hours-digests': m0024,
  '0025-notice-marks': m0025,
  '0026-security-notify': m0026,
  '0027-catalogue': m0027,
  '0028-problems': m0028,
  '0029-reviews': m0029,
  '0030-catalogue-learning': m0030,
  '0031-gate': m0031,
  '0032-deployments': m0032,
  '0033-integrations': m0033,
  '0035-dora-first-deployments': m0035,
  '0036-boards': m0036,
  '0038-board-meetings': m0038,
  '0039-board-recurrence': m0039,
  '0040-deployment-days': m0040,
  '0041-board-indexes': m0041,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
