import type { Migration } from './migration';

/*
 * Epoch milliseconds are BIGINT in PostgreSQL (they overflow INTEGER) and INTEGER in SQLite (64-bit there).
 * Opaque documents owned by the domain are JSONB in PostgreSQL, so operators can query them, and TEXT in SQLite.
 * Every table leads with tenant_id, so every lookup is a tenant-scoped index seek.
 */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  sqlite: `
    CREATE TABLE tenants (
      tenant_id TEXT PRIMARY KEY,
      display_name TEXT NOT NULL,
      client_id TEXT NOT NULL,
      client_secret_sealed TEXT,
      client_secret_expires_at INTEGER,
      cloudlink_account_id TEXT,
      cloudlink_client_id TEXT,
      cloudlink_client_secret_sealed TEXT,
      settings TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE monitors (
      tenant_id TEXT NOT NULL,
      monitor_id TEXT NOT NULL,
      username TEXT NOT NULL,
      password_sealed TEXT NOT NULL,
      password_expires_at INTEGER,
      state TEXT NOT NULL,
      subscription_id TEXT,
      subscription_expires_at INTEGER,
      user_ids TEXT NOT NULL,
      client_state TEXT,
      last_error TEXT,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, monitor_id)
    );
    CREATE INDEX monitors_by_subscription ON monitors (subscription_id);
    CREATE TABLE users (
      tenant_id TEXT NOT NULL,
      entra_user_id TEXT NOT NULL,
      upn TEXT NOT NULL,
      display_name TEXT NOT NULL,
      pbx_principal_id TEXT,
      extension TEXT,
      send_to_teams INTEGER,
      get_from_teams INTEGER,
      selected INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, entra_user_id)
    );
    CREATE INDEX users_by_pbx_id ON users (tenant_id, pbx_principal_id);
    CREATE TABLE sync_states (
      tenant_id TEXT NOT NULL,
      entra_user_id TEXT NOT NULL,
      state TEXT NOT NULL,
      last_sync_at INTEGER,
      last_error TEXT,
      version INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, entra_user_id)
    );
    CREATE TABLE trace (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      tenant_id TEXT NOT NULL,
      entra_user_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      kind TEXT NOT NULL,
      detail TEXT NOT NULL
    );
    CREATE INDEX trace_by_user ON trace (tenant_id, entra_user_id, id);
    CREATE TABLE reports (
      tenant_id TEXT NOT NULL,
      report_id TEXT NOT NULL,
      reporter_id TEXT NOT NULL,
      reporter_name TEXT NOT NULL,
      category TEXT NOT NULL,
      description TEXT NOT NULL,
      source TEXT NOT NULL,
      diagnostics TEXT,
      status TEXT NOT NULL,
      history TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, report_id)
    );
    CREATE INDEX reports_by_reporter ON reports (tenant_id, reporter_id);
    CREATE TABLE conversations (
      tenant_id TEXT NOT NULL,
      key TEXT NOT NULL,
      reference TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, key)
    );
    CREATE TABLE user_settings (
      tenant_id TEXT NOT NULL,
      entra_user_id TEXT NOT NULL,
      settings TEXT NOT NULL,
      PRIMARY KEY (tenant_id, entra_user_id)
    );
    CREATE TABLE notices (
      tenant_id TEXT NOT NULL,
      notice_key TEXT NOT NULL,
      sent_at INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, notice_key)
    );
    CREATE TABLE leases (
      tenant_id TEXT NOT NULL,
      name TEXT NOT NULL,
      holder TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, name)
    );
  `,
  postgres: `
    CREATE TABLE tenants (
      tenant_id TEXT PRIMARY KEY,
      display_name TEXT NOT NULL,
      client_id TEXT NOT NULL,
      client_secret_sealed TEXT,
      client_secret_expires_at BIGINT,
      cloudlink_account_id TEXT,
      cloudlink_client_id TEXT,
      cloudlink_client_secret_sealed TEXT,
      settings JSONB NOT NULL,
      updated_at BIGINT NOT NULL
    );
    CREATE TABLE monitors (
      tenant_id TEXT NOT NULL,
      monitor_id TEXT NOT NULL,
      username TEXT NOT NULL,
      password_sealed TEXT NOT NULL,
      password_expires_at BIGINT,
      state TEXT NOT NULL,
      subscription_id TEXT,
      subscription_expires_at BIGINT,
      user_ids JSONB NOT NULL,
      client_state TEXT,
      last_error TEXT,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (tenant_id, monitor_id)
    );
    CREATE INDEX monitors_by_subscription ON monitors (subscription_id);
    CREATE TABLE users (
      tenant_id TEXT NOT NULL,
      entra_user_id TEXT NOT NULL,
      upn TEXT NOT NULL,
      display_name TEXT NOT NULL,
      pbx_principal_id TEXT,
      extension TEXT,
      send_to_teams BOOLEAN,
      get_from_teams BOOLEAN,
      selected BOOLEAN NOT NULL,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (tenant_id, entra_user_id)
    );
    CREATE INDEX users_by_pbx_id ON users (tenant_id, pbx_principal_id);
    CREATE TABLE sync_states (
      tenant_id TEXT NOT NULL,
      entra_user_id TEXT NOT NULL,
      state JSONB NOT NULL,
      last_sync_at BIGINT,
      last_error TEXT,
      version INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, entra_user_id)
    );
    CREATE TABLE trace (
      id BIGSERIAL PRIMARY KEY,
      tenant_id TEXT NOT NULL,
      entra_user_id TEXT NOT NULL,
      at BIGINT NOT NULL,
      kind TEXT NOT NULL,
      detail JSONB NOT NULL
    );
    CREATE INDEX trace_by_user ON trace (tenant_id, entra_user_id, id);
    CREATE TABLE reports (
      tenant_id TEXT NOT NULL,
      report_id TEXT NOT NULL,
      reporter_id TEXT NOT NULL,
      reporter_name TEXT NOT NULL,
      category TEXT NOT NULL,
      description TEXT NOT NULL,
      source TEXT NOT NULL,
      diagnostics JSONB,
      status TEXT NOT NULL,
      history JSONB NOT NULL,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (tenant_id, report_id)
    );
    CREATE INDEX reports_by_reporter ON reports (tenant_id, reporter_id);
    CREATE TABLE conversations (
      tenant_id TEXT NOT NULL,
      key TEXT NOT NULL,
      reference JSONB NOT NULL,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (tenant_id, key)
    );
    CREATE TABLE user_settings (
      tenant_id TEXT NOT NULL,
      entra_user_id TEXT NOT NULL,
      settings JSONB NOT NULL,
      PRIMARY KEY (tenant_id, entra_user_id)
    );
    CREATE TABLE notices (
      tenant_id TEXT NOT NULL,
      notice_key TEXT NOT NULL,
      sent_at BIGINT NOT NULL,
      PRIMARY KEY (tenant_id, notice_key)
    );
    CREATE TABLE leases (
      tenant_id TEXT NOT NULL,
      name TEXT NOT NULL,
      holder TEXT NOT NULL,
      expires_at BIGINT NOT NULL,
      PRIMARY KEY (tenant_id, name)
    );
  `,
};
