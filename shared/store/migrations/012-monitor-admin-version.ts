import type { Migration } from './migration';

/*
 * How many times an admin has changed each presence monitor (added, new password, authorize, removed, a new app
 * registration). The sync writes its progress on a monitor (state, subscription, users) only while this count is the
 * one it read, so an operation that was already running cannot undo the admin's change: before, a renewal finishing
 * just after "New password" wrote the old password back, and one finishing after "Delete" brought the monitor back.
 */
export const monitorAdminVersion: Migration = {
  version: 12,
  name: 'monitor-admin-version',
  sqlite: `ALTER TABLE monitors ADD COLUMN admin_version INTEGER NOT NULL DEFAULT 0;`,
  postgres: `ALTER TABLE monitors ADD COLUMN admin_version INTEGER NOT NULL DEFAULT 0;`,
};
