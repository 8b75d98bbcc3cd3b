import type { Migration } from './migration';

/*
 * Fencing for the tenant's sync lease (issue 12): `epoch` goes up each time the lease passes to a new holder (or is
 * taken again after it ran out), never on a renewal, so a process can tell that someone else held the lease since its
 * own term began. `renewed_at` is when the holder last took or renewed it: the moment the previous owner was last known
 * alive, which tells the next owner how long nobody ran the sync (the gap its start-up reads cover).
 */
export const leaseEpoch: Migration = {
  version: 7,
  name: 'lease-epoch',
  sqlite: `
    ALTER TABLE leases ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE leases ADD COLUMN renewed_at INTEGER;
  `,
  postgres: `
    ALTER TABLE leases ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE leases ADD COLUMN renewed_at BIGINT;
  `,
};
