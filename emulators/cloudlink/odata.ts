import { clFail } from './errors';
import type { CallRecordRow } from './pbx-types';

/**
 * The part of OData `$filter` the media API's call records need: clauses joined by `and`, each
 * `field op literal` with op eq/ne/gt/ge/lt/le. Fields: direction, from, to, fromName, toName, cause, state
 * (strings), completed (boolean), createdOn and endTime (date-times, quoted or bare ISO). Assumption: CloudLink
 * accepts at least this much; anything else answers 400 rather than being ignored, so a typo never passes as
 * "no filter".
 */

type Op = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
type Predicate = (r: CallRecordRow) => boolean;

const STRING_FIELDS = new Set(['direction', 'from', 'to', 'fromName', 'toName', 'cause', 'state', 'callId']);
const DATE_FIELDS = new Set(['createdOn', 'endTime']);
const CLAUSE = /^\s*(\w+)\s+(eq|ne|gt|ge|lt|le)\s+('(?:[^']|'')*'|true|false|null|[\d:.TZ+-]+)\s*$/i;

export function parseRecordFilter(filter: string | null): Predicate {
  if (filter === null || filter.trim() === '') return () => true;
  const predicates = splitOnAnd(filter).map(parseClause);
  return (r) => predicates.every((p) => p(r));
}

/** Splits on ` and ` outside quoted literals, so `fromName eq 'Smith and Sons'` stays one clause. */
function splitOnAnd(filter: string): string[] {
  const parts: string[] = [];
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < filter.length; i++) {
    if (filter[i] === "'") inQuote = !inQuote;
    if (inQuote) continue;
    const m = /^\s+and\s+/i.exec(filter.slice(i));
    if (m && i > start) {
      parts.push(filter.slice(start, i));
      start = i + m[0].length;
      i = start - 1;
    }
  }
  parts.push(filter.slice(start));
  return parts;
}

function parseClause(text: string): Predicate {
  const m = CLAUSE.exec(text);
  if (!m) throw invalid(`Cannot parse $filter clause "${text.trim()}".`);
  const field = m[1]!;
  const op = m[2]!.toLowerCase() as Op;
  const literal = m[3]!;
  const quoted = literal.startsWith("'");
  const value = quoted ? literal.slice(1, -1).replace(/''/g, "'") : literal;

  if (field === 'completed') {
    if (quoted || (value !== 'true' && value !== 'false') || (op !== 'eq' && op !== 'ne')) {
      throw invalid('completed takes eq or ne with true or false.');
    }
    const want = value === 'true';
    return (r) => (op === 'eq' ? r.completed === want : r.completed !== want);
  }
  if (STRING_FIELDS.has(field)) {
    if (!quoted && value !== 'null') throw invalid(`${field} takes a quoted string.`);
    if (op !== 'eq' && op !== 'ne') throw invalid(`${field} takes eq or ne.`);
    const want = value === 'null' && !quoted ? null : value;
    return (r) => {
      const actual = (r as unknown as Record<string, string | null>)[field] ?? null;
      return op === 'eq' ? actual === want : actual !== want;
    };
  }
  if (DATE_FIELDS.has(field)) {
    const at = Date.parse(value);
    if (Number.isNaN(at)) throw invalid(`${field} takes an ISO 8601 date-time.`);
    return (r) => {
      const raw = field === 'createdOn' ? r.createdOn : r.endTime;
      if (raw === null) return op === 'ne';
      return compare(Date.parse(raw), op, at);
    };
  }
  throw invalid(`Unknown field "${field}" in $filter.`);
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
  }
}

function invalid(message: string) {
  return clFail(400, 'InvalidArgument', message);
}
