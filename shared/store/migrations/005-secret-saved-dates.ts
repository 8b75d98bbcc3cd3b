import type { Migration } from './migration';

/*
 * When each secret of the tenant link was last saved. A refused secret is reported with this date ("the secret saved
 * on 3 March was refused by Entra"), which is what an admin in the middle of a rotation needs to know which one failed.
 */
export const secretSavedDates: Migration = {
  version: 5,
  name: 'secret-saved-dates',
  sqlite: `
    ALTER TABLE tenants ADD COLUMN client_secret_saved_at INTEGER;
    ALTER TABLE tenants ADD COLUMN cloudlink_client_secret_saved_at INTEGER;
  `,
  postgres: `
    ALTER TABLE tenants ADD COLUMN client_secret_saved_at BIGINT;
    ALTER TABLE tenants ADD COLUMN cloudlink_client_secret_saved_at BIGINT;
  `,
};
