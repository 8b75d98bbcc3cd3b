import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

/**
 * Validation against Microsoft's own manifest JSON schemas, as published in the npm package
 * @microsoft/app-manifest (the copies developer.microsoft.com serves; draft-04, no external references), so the
 * check runs offline and cannot drift into a hand-written approximation.
 */
const SCHEMA_ROOT = path.join(
  path.dirname(require.resolve('@microsoft/app-manifest/package.json')),
  'build',
  'json-schemas',
  'teams',
);

export type SchemaKind = 'manifest' | 'localization';

const SCHEMA_FILE: Record<SchemaKind, string> = {
  manifest: 'MicrosoftTeams.schema.json',
  localization: 'MicrosoftTeams.Localization.schema.json',
};

export function schemaPath(manifestVersion: string, kind: SchemaKind): string {
  const file = path.join(SCHEMA_ROOT, `v${manifestVersion}`, SCHEMA_FILE[kind]);
  if (!fs.existsSync(file)) {
    throw new Error(
      `@microsoft/app-manifest ships no ${kind} schema for manifest version ${manifestVersion} (looked for ${file})`,
    );
  }
  return file;
}

/** One line per schema error, e.g. `/bots/0/botId must match pattern "..."`. Empty when valid. */
export function schemaErrors(document: unknown, manifestVersion: string, kind: SchemaKind): string[] {
  // unicodeRegExp off: the localization schema has a pattern (`\b]`) that is valid JavaScript but not in /u mode.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(
    JSON.parse(fs.readFileSync(schemaPath(manifestVersion, kind), 'utf8')) as object,
  );
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
  );
}
