import { initial } from './001-initial';
import { cloudLinkSubscriptionsAndJobs } from './002-cloudlink-subscriptions-and-jobs';
import { directoryState } from './003-directory-state';
import { secretSavedDates } from './005-secret-saved-dates';
import { operatorEvents } from './006-operator-events';
import { leaseEpoch } from './007-lease-epoch';
import { syncInbox } from './008-sync-inbox';
import { tenantRegistry } from './009-tenant-registry';

/**
 * One schema, two dialects. Each migration carries its SQLite and PostgreSQL text side by side so the two can never
 * drift apart in numbering; a store applies, in order, every version it has not recorded in `schema_migrations`.
 * Migrations are append-only: never edit one that has shipped, add the next number instead.
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  initial,
  cloudLinkSubscriptionsAndJobs,
  directoryState,
  secretSavedDates,
  operatorEvents,
  leaseEpoch,
  syncInbox,
  tenantRegistry,
];
