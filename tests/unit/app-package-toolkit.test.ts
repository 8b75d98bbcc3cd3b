import fs from 'node:fs';
import path from 'node:path';
import { parseEnvFile } from '../../appPackage/scripts/env-file';
import { placeholdersIn } from '../../appPackage/scripts/placeholders';

// teamsapp.yml / teamsapp.local.yml drive Teams Toolkit; the env templates must declare every value they and the
// manifests need, and never hold a secret.

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** The `- uses: action` lines of one lifecycle section, in order. */
function actions(yml: string, lifecycle: string): string[] {
  const section = new RegExp(`^${lifecycle}:\\n([\\s\\S]*?)(?=^\\S|(?![\\s\\S]))`, 'm').exec(yml)?.[1] ?? '';
  return [...section.matchAll(/^\s*- uses: (\S+)/gm)].map((m) => m[1] as string);
}

const PROVISION = [
  'aadApp/create',
  'teamsApp/create',
  'botAadApp/create',
  'botFramework/create',
  'aadApp/update',
  'teamsApp/validateManifest',
  'teamsApp/zipAppPackage',
  'teamsApp/validateAppPackage',
  'teamsApp/update',
];

describe('teamsapp.yml', () => {
  const yml = read('teamsapp.yml');

  it('uses the toolkit schema and the env folder', () => {
    expect(yml).toMatch(/^version: v1\.\d+$/m);
    expect(yml).toMatch(/^environmentFolderPath: \.\/env$/m);
  });

  it('provisions Entra app, Teams app, bot, then validates, zips and updates the package', () => {
    expect(actions(yml, 'provision')).toEqual(PROVISION);
  });

  it('deploys by building and zip-deploying to the App Service, and publishes to the org catalog', () => {
    expect(actions(yml, 'deploy')).toEqual([
      'cli/runNpmCommand',
      'cli/runNpmCommand',
      'azureAppService/zipDeploy',
    ]);
    expect(yml).toMatch(/args: run build$/m);
    expect(actions(yml, 'publish').at(-1)).toBe('teamsApp/publishAppPackage');
  });

  it('zips to the same path `npm run package` writes, and points the bot at the server', () => {
    expect(yml).toContain('outputZipPath: ./appPackage/build/appPackage.${{TEAMSFX_ENV}}.zip');
    expect(yml).toContain('messagingEndpoint: ${{TAB_ENDPOINT}}/api/messages');
    expect(yml).toContain('manifestPath: ./appPackage/aad.manifest.json');
  });

  it('keeps every generated secret in a SECRET_ variable (so it lands in the gitignored .user file)', () => {
    for (const file of ['teamsapp.yml', 'teamsapp.local.yml']) {
      const text = read(file);
      expect(text).toMatch(/clientSecret: SECRET_AAD_APP_CLIENT_SECRET/);
      expect(text).toMatch(/botPassword: SECRET_BOT_PASSWORD/);
    }
  });
});

describe('teamsapp.local.yml', () => {
  const yml = read('teamsapp.local.yml');

  it('provisions the same way and writes the server settings to a gitignored file', () => {
    expect(actions(yml, 'provision')).toEqual(PROVISION);
    expect(yml).toContain('target: ./env/.env.local.server.user');
    expect(read('.gitignore')).toContain('env/.env.*.user');
  });
});

describe('env templates', () => {
  const needed = [
    ...placeholdersIn(read('appPackage/manifest.json')),
    ...placeholdersIn(read('appPackage/aad.manifest.json')),
    ...placeholdersIn(read('teamsapp.yml')).filter((v) => !v.startsWith('SECRET_')),
  ];

  it.each(['env/.env.dev', 'env/.env.local'])('%s declares every variable the manifests need', (file) => {
    const declared = Object.keys(parseEnvFile(read(file)));
    const localOnly = file.endsWith('.local') ? ['BOT_AZURE_APP_SERVICE_RESOURCE_ID'] : [];
    expect([...new Set(needed)].filter((v) => !declared.includes(v) && !localOnly.includes(v))).toEqual([]);
  });

  it.each(['env/.env.dev', 'env/.env.local'])('%s holds no secret', (file) => {
    const values = parseEnvFile(read(file));
    expect(
      Object.keys(values).filter((k) => k.startsWith('SECRET_') || /PASSWORD|CLIENT_SECRET/.test(k)),
    ).toEqual([]);
  });
});
