import fs from 'node:fs';
import path from 'node:path';
import { COMMAND_KEY, germanCommandStrings, manifestCommandLists } from './commands';

/**
 * The committed package sources (appPackage/manifest.json, its localization files) and the one part of them that
 * is generated: the bot command menu. The committed files carry the generated part too, because Teams Toolkit's
 * own zipAppPackage reads them as they are; `npm run package -- --sync-commands` rewrites it.
 */
export const APP_PACKAGE_DIR = path.resolve(__dirname, '..');

type Json = Record<string, unknown>;

export interface LocalizationRef {
  languageTag: string;
  file: string;
}

export function localizationRefs(manifest: Json): LocalizationRef[] {
  const info = manifest.localizationInfo as { additionalLanguages?: LocalizationRef[] } | undefined;
  return info?.additionalLanguages ?? [];
}

function readJson(file: string): Json {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
}

function withGeneratedCommands(manifest: Json): Json {
  const bots = manifest.bots as Json[];
  return {
    ...manifest,
    bots: bots.map((bot, i) => (i === 0 ? { ...bot, commandLists: manifestCommandLists() } : bot)),
  };
}

function withGeneratedGermanCommands(strings: Json): Json {
  const kept = Object.entries(strings).filter(([key]) => !COMMAND_KEY.test(key));
  return { ...Object.fromEntries(kept), ...germanCommandStrings() };
}

function generatedLocalization(ref: LocalizationRef, strings: Json): Json {
  return ref.languageTag === 'de' ? withGeneratedGermanCommands(strings) : strings;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Files whose committed command section differs from shared/teams/bot-commands.ts (relative names). */
export function commandDrift(dir = APP_PACKAGE_DIR): string[] {
  const manifest = readJson(path.join(dir, 'manifest.json'));
  const drifted = same(manifest, withGeneratedCommands(manifest)) ? [] : ['manifest.json'];
  for (const ref of localizationRefs(manifest)) {
    const strings = readJson(path.join(dir, ref.file));
    if (!same(strings, generatedLocalization(ref, strings))) drifted.push(ref.file);
  }
  return drifted;
}

/**
 * Rewrites the command sections of the committed files from the table; returns the files it changed. The layout
 * is the one Prettier gives these files (objects expanded, short arrays of plain values on one line), so a sync
 * leaves no formatting noise in the diff.
 */
export function syncCommands(dir = APP_PACKAGE_DIR): string[] {
  const changed: string[] = [];
  const write = (file: string, before: Json, after: Json): void => {
    if (same(before, after)) return;
    fs.writeFileSync(path.join(dir, file), `${formatJson(after, '')}\n`);
    changed.push(file);
  };
  const manifest = readJson(path.join(dir, 'manifest.json'));
  write('manifest.json', manifest, withGeneratedCommands(manifest));
  for (const ref of localizationRefs(manifest)) {
    const strings = readJson(path.join(dir, ref.file));
    write(ref.file, strings, generatedLocalization(ref, strings));
  }
  return changed;
}

const PRINT_WIDTH = 110; // .prettierrc.json

function formatJson(value: unknown, indent: string): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const plain = value.every((v) => v === null || typeof v !== 'object');
    const oneLine = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    if (plain && indent.length + oneLine.length <= PRINT_WIDTH) return oneLine;
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
