import type Database from 'better-sqlite3';
import type {
  OnboardingState,
  RegisteredTenant,
  RegistryReader,
  TenantRegistry,
} from '../ports/tenant-registry';
import { storableParams } from './rows';
import { READERS_KEPT_MS, TENANT_DATA_TABLES, toRegisteredTenant, toRegistryReader } from './tenant-data';

type Row = Record<string, unknown>;

/** The tenant registry and pending onboardings on SQLite (migration 009). */
export class SqliteTenantRegistry implements TenantRegistry {
  private readonly deleteAll: (tenantId: string) => void;
  private readonly deleteIfOffboarded: (tenantId: string, offboardedAt: number) => boolean;

  constructor(private readonly db: Database.Database) {
    const deleteRows = (tenantId: string) => {
      for (const table of TENANT_DATA_TABLES)
        db.prepare(`DELETE FROM ${table} WHERE tenant_id = ?`).run(tenantId);
    };
    this.deleteAll = db.transaction(deleteRows);
    this.deleteIfOffboarded = db.transaction((tenantId: string, offboardedAt: number) => {
      const row = db
        .prepare('SELECT state, offboarded_at FROM tenant_registry WHERE tenant_id = ?')
        .get(tenantId) as { state: string; offboarded_at: number | null } | undefined;
      if (row?.state !== 'offboarded' || Number(row.offboarded_at) !== offboardedAt) return false;
      deleteRows(tenantId);
      return true;
    });
  }

  async list(): Promise<RegisteredTenant[]> {
    return (this.db.prepare('SELECT * FROM tenant_registry ORDER BY tenant_id').all() as Row[]).map(
      toRegisteredTenant,
    );
  }

  async get(tenantId: string): Promise<RegisteredTenant | undefined> {
    const r = this.db.prepare('SELECT * FROM tenant_registry WHERE tenant_id = ?').get(tenantId) as
      Row | undefined;
    return r && toRegisteredTenant(r);
  }

  async onboard(tenantId: string, displayName: string, at: number, by: string): Promise<RegisteredTenant> {
    const r = this.db
      .prepare(
        `INSERT INTO tenant_registry (tenant_id, display_name, state, onboarded_at, onboarded_by)
         VALUES (@tenantId, @displayName, 'active', @at, @by)
         ON CONFLICT (tenant_id) DO UPDATE SET display_name = excluded.display_name,
           onboarded_at = CASE WHEN tenant_registry.state = 'active' THEN tenant_registry.onboarded_at ELSE excluded.onboarded_at END,
           onboarded_by = CASE WHEN tenant_registry.state = 'active' THEN tenant_registry.onboarded_by ELSE excluded.onboarded_by END,
           state = 'active', offboarded_at = NULL, offboarded_by = NULL
         RETURNING *`,
      )
      .get(storableParams({ tenantId, displayName, at, by })) as Row;
    return toRegisteredTenant(r);
  }

  async rename(tenantId: string, displayName: string): Promise<boolean> {
    const info = this.db
      .prepare('UPDATE tenant_registry SET display_name = ? WHERE tenant_id = ?')
      .run(displayName, tenantId);
    return info.changes === 1;
  }

  async offboard(tenantId: string, at: number, by: string): Promise<boolean> {
    const info = this.db
      .prepare(
        `UPDATE tenant_registry SET state = 'offboarded', offboarded_at = @at, offboarded_by = @by
         WHERE tenant_id = @tenantId AND state = 'active'`,
      )
      .run(storableParams({ tenantId, at, by }));
    return info.changes === 1;
  }

  async deleteData(tenantId: string): Promise<void> {
    this.deleteAll(tenantId);
  }

  async deleteOffboardedData(tenantId: string, offboardedAt: number): Promise<boolean> {
    return this.deleteIfOffboarded(tenantId, offboardedAt);
  }

  async recordReader(reader: RegistryReader): Promise<void> {
    this.db.prepare('DELETE FROM registry_readers WHERE read_at < ?').run(reader.readAt - READERS_KEPT_MS);
    this.db
      .prepare(
        `INSERT INTO registry_readers (process_id, serving, read_at) VALUES (?, ?, ?)
         ON CONFLICT (process_id) DO UPDATE SET serving = excluded.serving, read_at = excluded.read_at`,
      )
      .run(reader.processId, JSON.stringify(reader.serving), reader.readAt);
  }

  async readers(): Promise<RegistryReader[]> {
    return (this.db.prepare('SELECT * FROM registry_readers ORDER BY read_at').all() as Row[]).map(
      toRegistryReader,
    );
  }

  async forgetReader(processId: string): Promise<void> {
    this.db.prepare('DELETE FROM registry_readers WHERE process_id = ?').run(processId);
  }

  async putOnboardingState(stateHash: string, state: OnboardingState, now: number): Promise<void> {
    this.db.prepare('DELETE FROM onboarding_states WHERE expires_at <= ?').run(now);
    this.db
      .prepare('INSERT INTO onboarding_states (state_hash, browser_hash, expires_at) VALUES (?, ?, ?)')
      .run(stateHash, state.browserHash, state.expiresAt);
  }

  async takeOnboardingState(stateHash: string): Promise<OnboardingState | undefined> {
    const r = this.db
      .prepare('DELETE FROM onboarding_states WHERE state_hash = ? RETURNING browser_hash, expires_at')
      .get(stateHash) as Row | undefined;
    return r && { browserHash: String(r.browser_hash), expiresAt: Number(r.expires_at) };
  }
}
