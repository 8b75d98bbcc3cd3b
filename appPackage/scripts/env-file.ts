import fs from 'node:fs';

/**
 * Reads a Teams Toolkit environment file (`env/.env.<name>`): KEY=VALUE lines, `#` comments, optional single or
 * double quotes. The toolkit's own reader is dotenv; this covers the subset its generated files use, so packaging
 * needs no extra dependency and behaves the same offline.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, key, rest] = match as unknown as [string, string, string];
    values[key] = unquote(rest);
  }
  return values;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length >= 2) {
    const end = value.indexOf(quote, 1);
    if (end > 0) return value.slice(1, end);
  }
  // An unquoted value ends at a " #" comment, as in dotenv.
  const comment = value.search(/\s#/);
  return (comment >= 0 ? value.slice(0, comment) : value).trim();
}

export function readEnvFile(path: string): Record<string, string> {
  if (!fs.existsSync(path)) {
    throw new Error(`Environment file ${path} does not exist (copy env/.env.dev to start a new environment)`);
  }
  return parseEnvFile(fs.readFileSync(path, 'utf8'));
}
