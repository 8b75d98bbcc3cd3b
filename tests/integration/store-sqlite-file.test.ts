import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../shared/store/open';

/** The SQLite file holds sealed secrets, the directory and everyone's sync state: nobody but its owner reads it. */
describe('SQLite store file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-mode-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const mode = (f: string) => statSync(f).mode & 0o777;

  it('is created readable and writable by its owner only, and so are its -wal and -shm files', async () => {
    const file = join(dir, 'data', 'switchboard.sqlite');
    const store = await openStore(`sqlite:${file}`);
    try {
      await store.putUserSettings('t1', 'u1', { missedCallNotice: true });
      expect(mode(file)).toBe(0o600);
      for (const f of [`${file}-wal`, `${file}-shm`]) {
        expect(existsSync(f)).toBe(true);
        expect({ f, mode: mode(f) }).toEqual({ f, mode: 0o600 });
      }
      expect(mode(join(dir, 'data'))).toBe(0o700);
    } finally {
      await store.close();
    }
  });

  it('tightens a file an older version left readable to everyone', async () => {
    const file = join(dir, 'switchboard.sqlite');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const store = await openStore(`sqlite:${file}`);
    try {
      expect(mode(file)).toBe(0o600);
      expect(await store.getUserSettings('t1', 'u1')).toEqual(
        expect.objectContaining({ missedCallNotice: false }),
      );
    } finally {
      await store.close();
    }
  });
});
