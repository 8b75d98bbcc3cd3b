import { seedTenantLink, type LinkSeed } from '../../bot/services/tenant-link';
import { silentLogger } from '../../shared/platform/logger';
import { SecretBox } from '../../shared/platform/secret-box';
import { openStore } from '../../shared/store/open';

/** The admin documents a tenant starts with (the demo's dialling rules) fill gaps only: what an admin saved stays. */
describe('initial settings in the tenant link seed', () => {
  const box = new SecretBox(Buffer.alloc(32, 9));
  const seed = (policy: LinkSeed['policy']): LinkSeed => ({
    tenantId: 'tenant-1',
    displayName: 'Contoso',
    clientId: '11111111-1111-1111-1111-111111111111',
    clientSecret: 'secret',
    clientSecretExpiresAt: null,
    policy,
    initialSettings: { dialRules: { country: 'DE', outsidePrefix: '0', dialWithPrefix: false } },
  });

  it.each(['seed', 'replace'] as const)(
    'with policy %s: written when missing, never over the admin',
    async (policy) => {
      const store = await openStore('sqlite::memory:');
      await seedTenantLink(store, box, seed(policy), 1, silentLogger());
      expect((await store.getTenant('tenant-1'))?.settings.dialRules).toEqual({
        country: 'DE',
        outsidePrefix: '0',
        dialWithPrefix: false,
      });
      const saved = (await store.getTenant('tenant-1'))!;
      const adminRules = { country: 'AT', outsidePrefix: '', dialWithPrefix: false };
      await store.putTenant({ ...saved, settings: { ...saved.settings, dialRules: adminRules } });
      await seedTenantLink(store, box, seed(policy), 2, silentLogger());
      expect((await store.getTenant('tenant-1'))?.settings.dialRules).toEqual(adminRules);
      await store.close();
    },
  );

  it('fills a document an older tenant record lacks', async () => {
    const store = await openStore('sqlite::memory:');
    await seedTenantLink(store, box, { ...seed('seed'), initialSettings: undefined }, 1, silentLogger());
    expect((await store.getTenant('tenant-1'))?.settings.dialRules).toBeUndefined();
    await seedTenantLink(store, box, seed('seed'), 2, silentLogger());
    expect((await store.getTenant('tenant-1'))?.settings.dialRules).toMatchObject({ country: 'DE' });
    await store.close();
  });
});
