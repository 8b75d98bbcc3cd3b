import type { Pool } from 'pg';
import type {
  OnboardingState,
  RegisteredTenant,
  RegistryReader,
  TenantRegistry,
} from '../ports/tenant-registry';
import { storableParams } from './rows';
import { READERS_KEPT_MS, TENANT_DATA_TABLES, toRegisteredTenant, toRegistryReader } from './tenant-data';

type Row = Record<string, unknown>;

/** The tenant registry and pending onboardings on PostgreSQL (migration 009); same behaviour as on SQLite. */
export class PostgresTenantRegistry implements TenantRegistry {
  constructor(private readonly pool: Pool) {}

  private async rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, storableParams(params))).rows as Row[];
  }

  async list(): Promise<RegisteredTenant[]> {
    return (await this.rows('SELECT * FROM tenant_registry ORDER BY tenant_id')).map(toRegisteredTenant);
  }

  async get(tenantId: string): Promise<RegisteredTenant | undefined> {
    const [r] = await this.rows('SELECT * FROM tenant_registry WHERE tenant_id = $1', [tenantId]);
    return r && toRegisteredTenant(r);
  }

  async onboard(tenantId: string, displayName: string, at: number, by: string): Promise<RegisteredTenant> {
    const [r] = await this.rows(
      `INSERT INTO tenant_registry (tenant_id, display_name, state, onboarded_at, onboarded_by)
       VALUES ($1, $2, 'active', $3, $4)
       ON CONFLICT (tenant_id) DO UPDATE SET display_name = excluded.display_name,
         onboarded_at = CASE WHEN tenant_registry.state = 'active' THEN tenant_registry.onboarded_at ELSE excluded.onboarded_at END,
         onboarded_by = CASE WHEN tenant_registry.state = 'active' THEN tenant_registry.onboarded_by ELSE excluded.onboarded_by END,
         state = 'active', offboarded_at = NULL, offboarded_by = NULL
       RETURNING *`,
      [tenantId, displayName, at, by],
    );
    return toRegisteredTenant(r!);
  }

  async rename(tenantId: string, displayName: string): Promise<boolean> {
    const res = await this.pool.query('UPDATE tenant_registry SET display_name = $2 WHERE tenant_id = $1', [
      tenantId,
      displayName,
    ]);
    return res.rowCount === 1;
  }

  async offboard(tenantId: string, at: number, by: string): Promise<boolean> {
    const res = await this.pool.query(
      `UPDATE tenant_registry SET state = 'offboarded', offboarded_at = $2, offboarded_by = $3
       WHERE tenant_id = $1 AND state = 'active'`,
      storableParams([tenantId, at, by]),
    );
    return res.rowCount === 1;
  }

  async deleteData(tenantId: string): Promise<void> {
    await this.deleteIf(tenantId, undefined);
  }

  deleteOffboardedData(tenantId: string, offboardedAt: number): Promise<boolean> {
    return this.deleteIf(tenantId, offboardedAt);
  }

  /** Deletes the tenant's rows; with `offboardedAt`, only if its registry row (locked meanwhile) still says so. */
  private async deleteIf(tenantId: string, offboardedAt: number | undefined): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (offboardedAt !== undefined) {
        const { rows } = await client.query(
          'SELECT state, offboarded_at FROM tenant_registry WHERE tenant_id = $1 FOR UPDATE',
          [tenantId],
        );
        const row = rows[0] as { state: string; offboarded_at: string | number | null } | undefined;
        if (row?.state !== 'offboarded' || Number(row.offboarded_at) !== offboardedAt) {
          await client.query('ROLLBACK');
          return false;
        }
      }
      for (const table of TENANT_DATA_TABLES)
        await client.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [tenantId]);
      await client.query('COMMIT');
      return true;
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  }

  async recordReader(reader: RegistryReader): Promise<void> {
    await this.pool.query('DELETE FROM registry_readers WHERE read_at < $1', [
      reader.readAt - READERS_KEPT_MS,
    ]);
    await this.pool.query(
      `INSERT INTO registry_readers (process_id, serving, read_at) VALUES ($1, $2, $3)
       ON CONFLICT (process_id) DO UPDATE SET serving = excluded.serving, read_at = excluded.read_at`,
      [reader.processId, JSON.stringify(reader.serving), reader.readAt],
    );
  }

  async readers(): Promise<RegistryReader[]> {
    return (await this.rows('SELECT * FROM registry_readers ORDER BY read_at')).map(toRegistryReader);
  }

  async forgetReader(processId: string): Promise<void> {
    await this.pool.query('DELETE FROM registry_readers WHERE process_id = $1', [processId]);
  }

  async putOnboardingState(stateHash: string, state: OnboardingState, now: number): Promise<void> {
    await this.pool.query('DELETE FROM onboarding_states WHERE expires_at <= $1', [now]);
    await this.pool.query(
      'INSERT INTO onboarding_states (state_hash, browser_hash, expires_at) VALUES ($1, $2, $3)',
      [stateHash, state.browserHash, state.expiresAt],
    );
  }

  async takeOnboardingState(stateHash: string): Promise<OnboardingState | undefined> {
    const [r] = await this.rows(
      'DELETE FROM onboarding_states WHERE state_hash = $1 RETURNING browser_hash, expires_at',
      [stateHash],
    );
    return r && { browserHash: String(r.browser_hash), expiresAt: Number(r.expires_at) };
  }
}
