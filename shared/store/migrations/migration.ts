/**
 * One schema, two dialects. Each migration carries its SQLite and PostgreSQL text side by side so the two can never
 * drift apart in numbering; a store applies, in order, every version it has not recorded in `schema_migrations`.
 * Migrations are append-only: never edit one that has shipped, add the next number instead.
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}
