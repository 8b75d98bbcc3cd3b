import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';

// `npm run package` as an admin or CI runs it: a real process, real files, exit codes and messages.

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const ENV_NAME = `itest-${process.pid}`;
const ZIP = path.join(ROOT, 'appPackage', 'build', `appPackage.${ENV_NAME}.zip`);

const VALUES = [
  'TEAMSFX_ENV=itest',
  'APP_NAME_SUFFIX=-itest',
  'TAB_ENDPOINT=https://switchboard.contoso.com',
  'TAB_DOMAIN=switchboard.contoso.com',
  'DEVELOPER_NAME=Contoso IT',
  'DEVELOPER_WEBSITE_URL=https://www.contoso.com',
  'DEVELOPER_PRIVACY_URL=https://www.contoso.com/privacy',
  'DEVELOPER_TERMS_OF_USE_URL=https://www.contoso.com/terms',
  'AAD_APP_CLIENT_ID=11111111-2222-3333-4444-555555555555',
  'TEAMS_APP_ID=66666666-7777-8888-9999-000000000000',
  'BOT_ID=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'package-cli-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(ZIP, { force: true });
});

function writeEnv(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Exactly what `npm run package -- ARGS` runs (package.json: `tsx appPackage/scripts/package.ts --`). */
function runPackage(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts
    .package as string;
  const [, ...scriptArgs] = script.split(' ');
  return new Promise((resolve) => {
    execFile(TSX, [...scriptArgs, ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run package', () => {
  it('writes appPackage/build/appPackage.<env>.zip with the filled manifest and nothing else', async () => {
    const result = await runPackage(['--env', ENV_NAME, '--env-file', writeEnv('.env.ok', VALUES)]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(
      `appPackage.${ENV_NAME}.zip: manifest.json, color.png, outline.png, de.json`,
    );
    const zip = await JSZip.loadAsync(fs.readFileSync(ZIP));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'de.json', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.name.short).toBe('Switchboard-itest');
    expect(manifest.staticTabs[0].contentUrl).toBe('https://switchboard.contoso.com/tab/index.html');
  }, 60_000);

  it('exits non-zero and names the missing variable and the env file', async () => {
    const file = writeEnv(
      '.env.nobot',
      VALUES.filter((line) => !line.startsWith('BOT_ID=')),
    );
    const result = await runPackage(['--env', `${ENV_NAME}-nobot`, '--env-file', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does not set BOT_ID');
    expect(result.stderr).toContain('.env.nobot');
    expect(fs.existsSync(path.join(ROOT, 'appPackage', 'build', `appPackage.${ENV_NAME}-nobot.zip`))).toBe(
      false,
    );
  }, 60_000);

  it('says which env file is missing', async () => {
    const result = await runPackage(['--env-file', path.join(dir, '.env.absent')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\.env\.absent does not exist/);
  }, 60_000);

  it('rejects an unknown argument with the accepted ones', async () => {
    const result = await runPackage(['--environment', 'dev']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'unknown argument --environment (expected --env NAME, --env-file PATH, --sync-commands)',
    );
  }, 60_000);
});
