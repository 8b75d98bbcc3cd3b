import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import JSZip from 'jszip';
import { BOT_COMMANDS } from '../../shared/teams/bot-commands';
import { CALL_HISTORY_ENTITY_ID } from '../../shared/teams/deep-link';
import { buildAppPackage, PackageError } from '../../appPackage/scripts/build-package';
import { parseEnvFile } from '../../appPackage/scripts/env-file';
import { commandDrift, syncCommands } from '../../appPackage/scripts/sources';

// The app package as a Teams admin receives it: built from an env file, checked against Microsoft's published
// schema (from @microsoft/app-manifest, not a copy of ours), with exactly the files Teams needs.

const APP_PACKAGE = path.resolve(__dirname, '../../appPackage');
const MICROSOFT_SCHEMAS = path.join(
  path.dirname(require.resolve('@microsoft/app-manifest/package.json')),
  'build/json-schemas/teams',
);

const CONTOSO = {
  TEAMSFX_ENV: 'test',
  APP_NAME_SUFFIX: '',
  TAB_ENDPOINT: 'https://switchboard.contoso.com',
  TAB_DOMAIN: 'switchboard.contoso.com',
  DEVELOPER_NAME: 'Contoso IT',
  DEVELOPER_WEBSITE_URL: 'https://www.contoso.com',
  DEVELOPER_PRIVACY_URL: 'https://www.contoso.com/privacy',
  DEVELOPER_TERMS_OF_USE_URL: 'https://www.contoso.com/terms',
  AAD_APP_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  TEAMS_APP_ID: '66666666-7777-8888-9999-000000000000',
  BOT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
};

let workDir: string;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-package-'));
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

let envCount = 0;
function envFile(values: Record<string, string>): string {
  const file = path.join(workDir, `.env.case${++envCount}`);
  fs.writeFileSync(
    file,
    Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  );
  return file;
}

async function build(values: Record<string, string>, sourceDir?: string) {
  const built = await buildAppPackage({
    env: 'test',
    envFile: envFile(values),
    outDir: path.join(workDir, `out${envCount}`),
    sourceDir,
  });
  const zip = await JSZip.loadAsync(fs.readFileSync(built.zipPath));
  const text = (name: string) => zip.file(name)!.async('string');
  return { built, zip, manifest: JSON.parse(await text('manifest.json')), text };
}

function microsoftValidator(manifestVersion: string, file: string) {
  // unicodeRegExp off: one of Microsoft's localization patterns is only valid as a non-/u JavaScript regex.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(
    JSON.parse(fs.readFileSync(path.join(MICROSOFT_SCHEMAS, `v${manifestVersion}`, file), 'utf8')),
  );
}

describe('the built app package', () => {
  it("passes Microsoft's JSON schema for its manifest version without a single error", async () => {
    const { manifest } = await build(CONTOSO);
    const validate = microsoftValidator(manifest.manifestVersion, 'MicrosoftTeams.schema.json');
    expect(validate(manifest) ? [] : validate.errors).toEqual([]);
    expect(manifest.$schema).toContain(`/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
  });

  it('the schema check is real: a manifest with a bad bot id or an unknown property is rejected', async () => {
    const { manifest } = await build(CONTOSO);
    const validate = microsoftValidator(manifest.manifestVersion, 'MicrosoftTeams.schema.json');
    expect(validate({ ...manifest, bots: [{ ...manifest.bots[0], botId: 'not-a-guid' }] })).toBe(false);
    expect(validate({ ...manifest, surprise: true })).toBe(false);
  });

  it('refuses to build when the env file yields an invalid manifest, listing the schema errors', async () => {
    await expect(build({ ...CONTOSO, BOT_ID: 'my-bot' })).rejects.toThrow(
      /bots\/0\/botId must match pattern/,
    );
  });

  it('holds exactly the manifest, the two icons and the German localization file, icons byte-identical', async () => {
    const { zip, built } = await build(CONTOSO);
    const names = Object.keys(zip.files).sort();
    expect(names).toEqual(['color.png', 'de.json', 'manifest.json', 'outline.png']);
    expect(built.files.sort()).toEqual(names);
    for (const icon of ['color.png', 'outline.png']) {
      expect(
        Buffer.compare(
          await zip.file(icon)!.async('nodebuffer'),
          fs.readFileSync(path.join(APP_PACKAGE, icon)),
        ),
      ).toBe(0);
    }
  });

  it('takes the tab URL, bot id, SSO app and domains from the env file: another env, another manifest', async () => {
    const fabrikam = {
      ...CONTOSO,
      TAB_ENDPOINT: 'https://teams-phone.fabrikam.net',
      TAB_DOMAIN: 'teams-phone.fabrikam.net',
      BOT_ID: '12345678-1234-1234-1234-123456789abc',
      AAD_APP_CLIENT_ID: '87654321-4321-4321-4321-cba987654321',
      APP_NAME_SUFFIX: '-dev',
    };
    for (const env of [CONTOSO, fabrikam]) {
      const { manifest } = await build(env);
      expect(manifest.id).toBe(env.TEAMS_APP_ID);
      expect(manifest.staticTabs[0].contentUrl).toBe(`${env.TAB_ENDPOINT}/tab/index.html`);
      expect(manifest.bots[0].botId).toBe(env.BOT_ID);
      expect(manifest.webApplicationInfo).toEqual({
        id: env.AAD_APP_CLIENT_ID,
        resource: `api://${env.TAB_DOMAIN}/botid-${env.BOT_ID}`,
      });
      expect(manifest.validDomains).toContain(env.TAB_DOMAIN);
      expect(manifest.name.short).toBe(`Switchboard${env.APP_NAME_SUFFIX}`);
      expect(JSON.stringify(manifest)).not.toContain('${{');
    }
  });

  it('names every variable the env file lacks instead of writing a half-filled package', async () => {
    const withoutBot: Record<string, string> = { ...CONTOSO, TAB_ENDPOINT: '' };
    delete withoutBot.BOT_ID;
    const attempt = build(withoutBot);
    await expect(attempt).rejects.toThrow(
      /does not set .*TAB_ENDPOINT.*BOT_ID|does not set .*BOT_ID.*TAB_ENDPOINT/,
    );
  });

  it('offers the bot commands of shared/teams/bot-commands.ts, no more and no fewer, in personal scope', async () => {
    const { manifest } = await build(CONTOSO);
    const bot = manifest.bots[0];
    // Commands are personal; the bot also joins a team channel or group chat for admin notices (issue 14 item 13).
    expect(bot.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(bot.commandLists).toHaveLength(1);
    expect(bot.commandLists[0].scopes).toEqual(['personal']);
    expect(bot.commandLists[0].commands).toEqual(
      BOT_COMMANDS.map(({ title, description }) => ({ title, description })),
    );
  });

  it('has a personal call-history tab and asks for no legacy permissions or device access', async () => {
    const { manifest } = await build(CONTOSO);
    // Bot notices deep-link to this tab by its entityId (shared/teams/deep-link.ts).
    expect(manifest.staticTabs[0]).toMatchObject({ entityId: CALL_HISTORY_ENTITY_ID, scopes: ['personal'] });
    expect(manifest.permissions).toBeUndefined();
    expect(manifest.devicePermissions).toBeUndefined();
    expect(manifest.authorization).toBeUndefined();
    expect(manifest.validDomains).toEqual([CONTOSO.TAB_DOMAIN]);
  });

  it("ships German strings that pass Microsoft's localization schema and leave command titles alone", async () => {
    const { manifest, text } = await build(CONTOSO);
    expect(manifest.localizationInfo).toEqual({
      defaultLanguageTag: 'en',
      additionalLanguages: [{ languageTag: 'de', file: 'de.json' }],
    });
    const german = JSON.parse(await text('de.json'));
    const validate = microsoftValidator(manifest.manifestVersion, 'MicrosoftTeams.Localization.schema.json');
    expect(validate(german) ? [] : validate.errors).toEqual([]);
    // Teams sends the chosen title as the message, and the bot matches the English titles.
    expect(Object.keys(german).filter((k) => k.endsWith('.title'))).toEqual([]);
    BOT_COMMANDS.forEach((_, i) =>
      expect(german[`bots[0].commandLists[0].commands[${i}].description`]).toEqual(expect.any(String)),
    );
  });
});

describe('the committed command menu', () => {
  it('is in step with shared/teams/bot-commands.ts', () => {
    expect(commandDrift()).toEqual([]);
  });

  it('a drifted copy is refused with the fix, and --sync-commands repairs it', async () => {
    const copy = path.join(workDir, 'drifted');
    fs.cpSync(APP_PACKAGE, copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}build`) });
    const manifestFile = path.join(copy, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    manifest.bots[0].commandLists[0].commands.push({
      title: 'dial',
      description: 'Not a command the bot knows',
    });
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));

    await expect(build(CONTOSO, copy)).rejects.toThrow(PackageError);
    await expect(build(CONTOSO, copy)).rejects.toThrow(/manifest\.json is out of step .*--sync-commands/);
    expect(syncCommands(copy)).toEqual(['manifest.json']);
    const synced = fs.readFileSync(manifestFile, 'utf8');
    expect(synced).toContain('"scopes": ["personal"]');
    expect(commandDrift(copy)).toEqual([]);
    expect((await build(CONTOSO, copy)).manifest.bots[0].commandLists[0].commands).toHaveLength(
      BOT_COMMANDS.length,
    );
  });
});

describe('env files', () => {
  it('are read the way Teams Toolkit writes them: comments, quotes, empty values', () => {
    expect(
      parseEnvFile(
        '# comment\nTEAMSFX_ENV=dev\nAPP_NAME_SUFFIX=\nQUOTED="a # b"\nSINGLE=\'x\'\nTRAILING=value # note\n\nexport E=1\n',
      ),
    ).toEqual({
      TEAMSFX_ENV: 'dev',
      APP_NAME_SUFFIX: '',
      QUOTED: 'a # b',
      SINGLE: 'x',
      TRAILING: 'value',
      E: '1',
    });
  });

  it('a value with quotes cannot break the manifest JSON', async () => {
    const { manifest } = await build({ ...CONTOSO, DEVELOPER_NAME: 'Contoso "IT"' });
    expect(manifest.developer.name).toBe('Contoso "IT"');
  });
});
