/**
 * Fills `${{VAR}}` placeholders the way Teams Toolkit does when it zips a package. A placeholder whose variable is
 * absent or empty is an error naming every such variable, because a half-filled manifest would upload and then
 * fail in a way that is much harder to trace back to the env file.
 */
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export class MissingVariablesError extends Error {
  constructor(
    readonly variables: string[],
    source: string,
  ) {
    super(
      `${source} does not set ${variables.join(', ')} (needed by the app package); set ${variables.length > 1 ? 'them' : 'it'} or run provision`,
    );
    this.name = 'MissingVariablesError';
  }
}

export interface FillOptions {
  /** Where the values came from, for the error message (e.g. "env/.env.dev"). */
  source: string;
  /** Variables that may legitimately be empty, such as APP_NAME_SUFFIX in production. */
  mayBeEmpty?: readonly string[];
}

export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

export function fillPlaceholders(text: string, values: Record<string, string>, options: FillOptions): string {
  const mayBeEmpty = new Set(options.mayBeEmpty ?? []);
  const missing = placeholdersIn(text).filter((name) => {
    const value = values[name];
    return value === undefined || (value === '' && !mayBeEmpty.has(name));
  });
  if (missing.length > 0) throw new MissingVariablesError(missing, options.source);
  return text.replace(PLACEHOLDER, (_, name: string) => jsonStringContent(values[name] as string));
}

/** Values land inside JSON strings, so quotes and backslashes in them must not break the document. */
function jsonStringContent(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
