import type { PhoneResetResult, SyncStatus } from '../api/contract';
import type { PbxEvent } from '../ports/cloudlink';
import type { OwnableSyncService, ResyncOptions, ResyncProgress, ResyncResult } from './contract';
import type { CloudLinkPost, GraphNotification } from './webhooks';

/**
 * A sync service that passes every call to the one it wraps. The wrappers (ownership.ts: who runs the engine;
 * inbox-handoff.ts: the owner's inbox drain) extend it and override only what they change, so a method added to the
 * service is forwarded once, here, and no wrapper forgets it.
 */
export class DelegatingSyncService implements OwnableSyncService {
  constructor(protected readonly inner: OwnableSyncService) {}

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  halt(): Promise<void> {
    return this.inner.halt();
  }

  get metrics() {
    return this.inner.metrics;
  }

  get cloudLinkWebhookKey(): string {
    return this.inner.cloudLinkWebhookKey;
  }

  receiveGraphNotifications(items: GraphNotification[]) {
    return this.inner.receiveGraphNotifications(items);
  }

  receiveCloudLinkPost(post: CloudLinkPost) {
    return this.inner.receiveCloudLinkPost(post);
  }

  onGraphNotifications(notifications: GraphNotification[]): Promise<void> {
    return this.inner.onGraphNotifications(notifications);
  }

  onPbxEvent(event: PbxEvent | null): Promise<void> {
    return this.inner.onPbxEvent(event);
  }

  resyncAll(progress?: (p: ResyncProgress) => void, options?: ResyncOptions): Promise<ResyncResult> {
    return this.inner.resyncAll(progress, options);
  }

  resyncUser(entraUserId: string): Promise<SyncStatus> {
    return this.inner.resyncUser(entraUserId);
  }

  statusOf(entraUserId: string): Promise<SyncStatus> {
    return this.inner.statusOf(entraUserId);
  }

  storedStatusOf(entraUserId: string): Promise<SyncStatus> {
    return this.inner.storedStatusOf(entraUserId);
  }

  resetPhoneStatus(entraUserId: string): Promise<PhoneResetResult> {
    return this.inner.resetPhoneStatus(entraUserId);
  }

  refreshUsers() {
    return this.inner.refreshUsers();
  }

  monitorsNeeded(): number {
    return this.inner.monitorsNeeded();
  }

  idle(): Promise<void> {
    return this.inner.idle();
  }

  settled(): Promise<void> {
    return this.inner.settled();
  }

  health() {
    return this.inner.health();
  }
}
