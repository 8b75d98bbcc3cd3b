import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { readEnvFile } from './env-file';
import { fillPlaceholders } from './placeholders';
import { schemaErrors } from './schema';
import { APP_PACKAGE_DIR, commandDrift, localizationRefs } from './sources';

/**
 * Builds the Teams app package offline: the manifest with `${{VAR}}` placeholders filled from an env file, the
 * files it references (two icons, the localization files) and nothing else, after checking the result against
 * Microsoft's schema. Mirrors Teams Toolkit's validateManifest + zipAppPackage, which need a network connection.
 */
export interface BuildOptions {
  /** Environment name: reads env/.env.<env>, writes appPackage.<env>.zip. Default "local". */
  env?: string;
  /** Read this env file instead of env/.env.<env>. */
  envFile?: string;
  /** Where the zip goes. Default appPackage/build. */
  outDir?: string;
  /** Package sources (manifest.json, icons, localization files). Default appPackage/. */
  sourceDir?: string;
}

export interface BuiltPackage {
  zipPath: string;
  /** Names inside the zip, in the order written. */
  files: string[];
  /** The filled manifest. */
  manifest: Record<string, unknown>;
}

/** APP_NAME_SUFFIX tells local/dev apps apart in a tenant; production leaves it empty on purpose. */
const MAY_BE_EMPTY = ['APP_NAME_SUFFIX'] as const;

// A fixed timestamp makes the zip byte-for-byte reproducible from the same inputs.
const ZIP_DATE = new Date('2026-01-01T00:00:00Z');

export class PackageError extends Error {
  override name = 'PackageError';
}

export async function buildAppPackage(options: BuildOptions = {}): Promise<BuiltPackage> {
  const env = options.env ?? 'local';
  const sourceDir = options.sourceDir ?? APP_PACKAGE_DIR;
  const envFile = options.envFile ?? path.join(sourceDir, '..', 'env', `.env.${env}`);
  const outDir = options.outDir ?? path.join(sourceDir, 'build');

  const drifted = commandDrift(sourceDir);
  if (drifted.length > 0) {
    throw new PackageError(
      `${drifted.join(', ')} ${drifted.length > 1 ? 'are' : 'is'} out of step with shared/teams/bot-commands.ts: run \`npm run package -- --sync-commands\``,
    );
  }

  const values = readEnvFile(envFile);
  const source = path.relative(process.cwd(), envFile) || envFile;
  const fill = (file: string): string =>
    fillPlaceholders(fs.readFileSync(path.join(sourceDir, file), 'utf8'), values, {
      source,
      mayBeEmpty: MAY_BE_EMPTY,
    });

  const manifestText = fill('manifest.json');
  const manifest = JSON.parse(manifestText) as Record<string, unknown>;
  const version = String(manifest.manifestVersion);
  const errors = schemaErrors(manifest, version, 'manifest').map((e) => `manifest.json ${e}`);

  const entries: [string, Buffer | string][] = [['manifest.json', manifestText]];
  const icons = manifest.icons as { color: string; outline: string };
  for (const icon of [icons.color, icons.outline]) entries.push([icon, readReferenced(sourceDir, icon)]);
  for (const ref of localizationRefs(manifest)) {
    const text = fill(ref.file);
    errors.push(...schemaErrors(JSON.parse(text), version, 'localization').map((e) => `${ref.file} ${e}`));
    entries.push([ref.file, text]);
  }
  if (errors.length > 0) {
    throw new PackageError(
      `The filled package does not match Microsoft's v${version} schema:\n  ${errors.join('\n  ')}`,
    );
  }

  const zip = new JSZip();
  for (const [name, data] of entries) zip.file(name, data, { date: ZIP_DATE });
  const zipPath = path.join(outDir, `appPackage.${env}.zip`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(zipPath, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return { zipPath, files: entries.map(([name]) => name), manifest };
}

function readReferenced(sourceDir: string, file: string): Buffer {
  const full = path.join(sourceDir, file);
  if (!fs.existsSync(full))
    throw new PackageError(`manifest.json names ${file}, which is not in ${sourceDir}`);
  return fs.readFileSync(full);
}
