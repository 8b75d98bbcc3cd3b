import { initial } from './001-initial';
import { cloudLinkSubscriptionsAndJobs } from './002-cloudlink-subscriptions-and-jobs';
import { directoryState } from './003-directory-state';
import { secretSavedDates } from './005-secret-saved-dates';
import { operatorEvents } from './006-operator-events';
import { leaseEpoch } from './007-lease-epoch';
import { syncInbox } from './008-sync-inbox';
import { tenantRegistry } from './009-tenant-registry';
import { clusterMembers } from './010-cluster-members';
import { registryReaders } from './011-registry-readers';
import { monitorAdminVersion } from './012-monitor-admin-version';
import { missedCallRetries } from './013-missed-call-retries';
import type { Migration } from './migration';

// The migrations import their type from migration.ts, not from this list, so the list closes no import cycle.
export type { Migration };

export const MIGRATIONS: readonly Migration[] = [
  initial,
  cloudLinkSubscriptionsAndJobs,
  directoryState,
  secretSavedDates,
  operatorEvents,
  leaseEpoch,
  syncInbox,
  tenantRegistry,
  clusterMembers,
  registryReaders,
  monitorAdminVersion,
  missedCallRetries,
];
