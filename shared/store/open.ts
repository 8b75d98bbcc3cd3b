import type { Store } from '../ports/store';
import { PostgresStore } from './postgres';
import { SqliteStore } from './sqlite';

/**
 * Opens and migrates the store STORE_URL names:
 *   sqlite:data/switchboard.sqlite   a file (relative to the working directory), created with its folder if missing
 *   sqlite::memory:                  a throwaway in-memory database
 *   postgres://user@host:5432/db     PostgreSQL; `?schema=name` keeps the tables in that schema (default public)
 */
export async function openStore(storeUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const store = createStore(storeUrl, options);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

export interface OpenStoreOptions {
  /** PostgreSQL only: an idle pooled connection failed; log it (the pool reconnects by itself). */
  onConnectionError?: (err: Error) => void;
}

function createStore(storeUrl: string, options: OpenStoreOptions): Store {
  if (storeUrl.startsWith('sqlite:')) {
    const path = storeUrl.slice('sqlite:'.length);
    if (!path) throw new Error('STORE_URL sqlite: needs a path, e.g. sqlite:data/switchboard.sqlite');
    return new SqliteStore(path);
  }
  if (/^postgres(ql)?:\/\//.test(storeUrl)) {
    const url = new URL(storeUrl);
    const schema = url.searchParams.get('schema') ?? undefined;
    // The driver would pass unknown query parameters on to the server, which rejects them.
    url.searchParams.delete('schema');
    return new PostgresStore({
      connectionString: url.toString(),
      schema,
      onConnectionError: options.onConnectionError,
    });
  }
  throw new Error('STORE_URL must start with sqlite: or postgres://');
}
