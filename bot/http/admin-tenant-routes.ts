import type { Server } from 'restify';
import type { TenantLinkView } from '../../shared/api/contract';
import { tenantUpdateRequest } from '../../shared/api/schemas';
import { adminChangedMonitor, type TenantRecord } from '../../shared/ports/store';
import { changedKeys } from '../services/tenant-link';
import { emptyTenant } from '../services/tenant-settings';
import { ApiHttpError, parseInput } from './errors';
import { adminRoute, type RouteContext } from './route';

/** GET/PUT /api/admin/tenant: the tenant link (the app registration and the CloudLink account, secrets sealed). */
export function mountAdminTenantRoutes(server: Server, ctx: RouteContext): void {
  const { deps } = ctx;
  const admin = adminRoute(ctx);

  server.get(
    '/api/admin/tenant',
    admin(async (caller) => ({
      body: toTenantView(caller.tenantId, await deps.store.getTenant(caller.tenantId), deps.partnerApp),
    })),
  );
  server.put(
    '/api/admin/tenant',
    admin(async (caller, req) => {
      const update = parseInput(tenantUpdateRequest, req.body);
      if (
        deps.partnerApp &&
        (update.clientId !== undefined ||
          update.clientSecret !== undefined ||
          update.clientSecretExpiresAt !== undefined)
      )
        throw new ApiHttpError(
          403,
          'app_registration_managed',
          'Your Switchboard provider manages the app registration; only the CloudLink link can be changed here.',
        );
      const now = deps.now();
      const current = (await deps.store.getTenant(caller.tenantId)) ?? emptyTenant(caller.tenantId, now);
      const seal = (s: string | undefined, previous: string | null) =>
        s === undefined ? previous : deps.secretBox.seal(s);
      // Linking the first app registration is no change; replacing one is.
      const clientChanged =
        update.clientId !== undefined &&
        current.clientId !== '' &&
        update.clientId.toLowerCase() !== current.clientId.toLowerCase();
      const cloudlinkChanged =
        update.cloudlink !== undefined &&
        (update.cloudlink.accountId !== current.cloudlink?.accountId ||
          update.cloudlink.clientId !== current.cloudlink?.clientId);
      const next: TenantRecord = {
        ...current,
        clientId: update.clientId ?? current.clientId,
        // A new app registration invalidates the old app's secret: keep it only if the same app stays linked.
        clientSecretSealed: seal(update.clientSecret, clientChanged ? null : current.clientSecretSealed),
        clientSecretSavedAt:
          update.clientSecret !== undefined
            ? now
            : clientChanged
              ? null
              : (current.clientSecretSavedAt ?? null),
        clientSecretExpiresAt: update.clientSecretExpiresAt
          ? Date.parse(update.clientSecretExpiresAt)
          : clientChanged
            ? null
            : current.clientSecretExpiresAt,
        cloudlink: update.cloudlink
          ? {
              accountId: update.cloudlink.accountId,
              clientId: update.cloudlink.clientId,
              // Another CloudLink client's secret is no good for this one.
              clientSecretSealed: seal(
                update.cloudlink.clientSecret,
                cloudlinkChanged ? null : (current.cloudlink?.clientSecretSealed ?? null),
              ),
              clientSecretSavedAt:
                update.cloudlink.clientSecret !== undefined
                  ? now
                  : cloudlinkChanged
                    ? null
                    : (current.cloudlink?.clientSecretSavedAt ?? null),
            }
          : current.cloudlink,
        updatedAt: now,
      };
      await deps.store.putTenant(next);
      deps.logger.info(
        {
          tenantId: caller.tenantId,
          event: 'config.changed',
          by: caller.userId,
          keys: changedKeys(current, next),
        },
        'the admin saved the tenant link',
      );
      if (clientChanged) {
        // Monitor consent and subscriptions belong to the old app registration: each must be authorized again.
        for (const m of await deps.store.listMonitors(caller.tenantId)) {
          if (m.state !== 'deleted')
            await deps.store.putMonitor(adminChangedMonitor(m, { state: 'updateRequired' }, now));
        }
      }
      // The next token request uses what was saved; a newly linked CloudLink account starts the sync.
      await deps.sync.linkChanged(caller.tenantId);
      return { body: toTenantView(caller.tenantId, next, deps.partnerApp) };
    }),
  );
}

function toTenantView(tenantId: string, t: TenantRecord | undefined, appManaged?: boolean): TenantLinkView {
  return {
    ...(appManaged ? { appManaged: true as const } : {}),
    tenantId,
    clientId: t?.clientId ?? '',
    clientSecretSet: Boolean(t?.clientSecretSealed),
    clientSecretExpiresAt: t?.clientSecretExpiresAt ? new Date(t.clientSecretExpiresAt).toISOString() : null,
    cloudlink: t?.cloudlink
      ? {
          accountId: t.cloudlink.accountId,
          clientId: t.cloudlink.clientId,
          clientSecretSet: Boolean(t.cloudlink.clientSecretSealed),
        }
      : null,
  };
}
