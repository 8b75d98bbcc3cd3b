/**
 * The presence sync engine's public face. bot/ builds one TenantBudget per tenant (its adapters and its sync service
 * meter through it) and one SyncService per tenant with createSyncService, and hands it
 * what its webhook routes read (readGraphPost, then receiveGraphNotifications; receiveCloudLinkPost); nothing else of
 * shared/sync is needed outside it. Re-exports only: no file of shared/sync
 * imports this barrel (they import contract.ts and each other), so it closes no import cycle.
 */
export type {
  OwnableSyncService,
  ResyncOptions,
  ResyncProgress,
  ResyncResult,
  SyncDeps,
  SyncLog,
  SyncOptions,
  SyncService,
} from './contract';
export { systemSyncClock, type SyncClock } from './clock';
export { createSyncService, userIdOf } from './service';
export { TenantBudget, type TenantBudgetOptions } from './tenant-budget';
export { SyncMetricsSink } from './metrics';
export { DEFAULT_LEASE, SyncStandbyError, SYNC_LEASE, type OwnershipOptions } from './ownership';
export { FencedWriteError, LeaseFence } from './fence';
export { CLOUDLINK_FEED_TOPICS, type SecretSealer } from './cloudlink-subscriptions';
export {
  readGraphPost,
  type CloudLinkAnswer,
  type CloudLinkPost,
  type GraphNotification,
  type GraphPost,
  type WebhookAnswer,
} from './webhooks';
