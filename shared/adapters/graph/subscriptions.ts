import type {
  GraphSubscription,
  GraphSubscriptionPort,
  MonitorCredentials,
  PresenceSubscriptionRequest,
} from '../../ports/graph';
import type { GraphClient } from './client';
import { toSubscription } from './presence-json';

/**
 * Presence change subscriptions. Graph accepts only delegated tokens here, so every call runs as the presence
 * monitor account that owns the subscription.
 */
export class GraphSubscriptions implements GraphSubscriptionPort {
  constructor(
    private readonly http: GraphClient,
    private readonly monitorToken: (monitor: MonitorCredentials) => Promise<string>,
  ) {}

  async create(
    monitor: MonitorCredentials,
    request: PresenceSubscriptionRequest,
  ): Promise<GraphSubscription> {
    const ids = request.userIds.map((id) => `'${id.replace(/'/g, "''")}'`).join(',');
    const { body } = await this.http.request({
      op: 'createSubscription',
      kind: 'other',
      method: 'POST',
      path: '/subscriptions',
      body: {
        changeType: 'updated',
        resource: `/communications/presences?$filter=id in (${ids})`,
        notificationUrl: request.notificationUrl,
        ...(request.lifecycleNotificationUrl && {
          lifecycleNotificationUrl: request.lifecycleNotificationUrl,
        }),
        clientState: request.clientState,
        expirationDateTime: request.expirationDateTime,
        ...(request.encryption && {
          includeResourceData: true,
          encryptionCertificate: request.encryption.certificateBase64,
          encryptionCertificateId: request.encryption.certificateId,
        }),
      },
      token: () => this.monitorToken(monitor),
    });
    return toSubscription(body as Record<string, unknown>);
  }

  async renew(
    monitor: MonitorCredentials,
    subscriptionId: string,
    expirationDateTime: string,
  ): Promise<GraphSubscription> {
    const { body } = await this.http.request({
      op: 'renewSubscription',
      kind: 'other',
      method: 'PATCH',
      path: `/subscriptions/${encodeURIComponent(subscriptionId)}`,
      body: { expirationDateTime },
      token: () => this.monitorToken(monitor),
    });
    return toSubscription(body as Record<string, unknown>);
  }

  async reauthorize(monitor: MonitorCredentials, subscriptionId: string): Promise<void> {
    await this.http.request({
      op: 'reauthorizeSubscription',
      kind: 'other',
      method: 'POST',
      path: `/subscriptions/${encodeURIComponent(subscriptionId)}/reauthorize`,
      token: () => this.monitorToken(monitor),
    });
  }

  async signIn(monitor: MonitorCredentials): Promise<void> {
    await this.monitorToken(monitor);
  }

  /** Deleting a subscription that is already gone (expired, removed) counts as done. */
  async delete(monitor: MonitorCredentials, subscriptionId: string): Promise<void> {
    await this.http.request({
      op: 'deleteSubscription',
      kind: 'other',
      method: 'DELETE',
      path: `/subscriptions/${encodeURIComponent(subscriptionId)}`,
      token: () => this.monitorToken(monitor),
      allow: [404],
    });
  }
}
