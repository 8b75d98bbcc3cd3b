import type { CodedText } from '../api/texts/coded-text';
import { said } from '../api/texts/english';
import { CloudLinkError } from '../ports/cloudlink';
import { GraphError } from '../ports/graph';
import type { NetworkFailure } from '../ports/network-failure';
import { SignInError, type SignInRefusal } from '../ports/sign-in';
import { FencedWriteError } from './fence';
import type { SyncLog } from './log';

/**
 * How long a refused write (401/403/404) waits before it is tried again on its own: a person has to act (consent, a
 * licence, a secret), so retrying sooner only adds refusals, but once they have acted the user should not have to
 * wait for their next phone call to see it work.
 */
export const REFUSED_WRITE_RETRY_MS = 15 * 60_000;

/**
 * How the engine treats a failed call: try again later (after at least `afterMs`), or give up and say why. A refusal
 * that someone can fix carries `healAfterMs`: writes are tried again after it, besides at the next change or resync.
 * Message and fix are coded (shared/api/texts/sync.ts), so the tab words them in the reader's language.
 */
export type Failure =
  | { retry: true; afterMs?: number; message: CodedText }
  | { retry: false; message: CodedText; fix: CodedText; healAfterMs?: number };

/** How a refused sign-in's message begins (the monitor's stored problem): nobody retries one without a person acting. */
export const SIGN_IN_REFUSED = 'sign-in refused:';

/**
 * Decides by the error's type and fields, never by its message. Throttling, server errors, network failures and
 * timeouts are passing: try again with backoff. A refusal needs a person. An error that is none of the ports' types
 * (a TypeError, a RangeError) is a bug in Switchboard: retrying it quickly would only repeat it, so it is logged once
 * per kind as `sync.bug` with its stack, the user's status says so, and it is tried again only as slowly as a refused
 * write, so a bug that passes (a rare state, a fixed deployment) does not strand the user for good.
 */
export function classify(err: unknown, log: SyncLog): Failure {
  const failure = serviceFailure(err);
  if (failure) return failure;
  reportBug(err, log);
  return {
    retry: false,
    message: said('sync.internalError', { kind: nameOf(err) }),
    fix: said('fix.internalError'),
    healAfterMs: BUG_RETRY_MS,
  };
}

/** How a failure of one of the ports (Graph, CloudLink, sign-in, the lease fence) is treated; null for anything else. */
export function serviceFailure(err: unknown): Failure | null {
  if (err instanceof GraphError || err instanceof CloudLinkError) {
    const system = err instanceof GraphError ? 'Microsoft Graph' : 'CloudLink';
    if (err.network)
      return { retry: true, message: said('sync.noAnswer', { system, reason: describe(err.network) }) };
    if (err.status === 429)
      return { retry: true, afterMs: err.retryAfterMs ?? 1000, message: said('sync.throttled', { system }) };
    if (err.status === 0 || err.status >= 500 || err.status === 408)
      return { retry: true, message: said('sync.serverFailed', { system, status: err.status }) };
    return {
      retry: false,
      // The provider's own words are quoted evidence, not our sentence: they stay as they came.
      message: said('sync.refused', { system, detail: err.message }),
      fix: fixFor(err.status, system),
      ...([401, 403, 404].includes(err.status) && { healAfterMs: REFUSED_WRITE_RETRY_MS }),
    };
  }
  if (err instanceof SignInError) {
    // No refusal: the identity provider failed (no answer, throttling, an outage) rather than said no.
    if (!err.refusal) return { retry: true, message: said('sync.signInFailed', { detail: err.message }) };
    return {
      retry: false,
      message: said('sync.signInRefused', { detail: err.message }),
      fix: signInFix(err.refusal),
      // Someone has to act, and once they have, writes should heal without waiting for the next change.
      healAfterMs: REFUSED_WRITE_RETRY_MS,
    };
  }
  // Outside the engine's write path (which handles it first) the fence is a passing state: the new owner takes over.
  if (err instanceof FencedWriteError)
    return { retry: true, message: said('sync.fenced', { operation: err.op }) };
  return null;
}

/**
 * How long a step that failed on a bug waits before it is tried again on its own: as slowly as a refused write. Not
 * at once (a bug repeats, and a fast loop would flood the services and the log), not never (a bug on a rare state
 * passes when the state does, and a user should not need a restart to sync again).
 */
export const BUG_RETRY_MS = REFUSED_WRITE_RETRY_MS;

/** Kinds of bug already logged, per log: each kind once, so a bug on every user's write is one line, not thousands. */
const reportedBugs = new WeakMap<SyncLog, Set<string>>();
/** More distinct kinds than this are not remembered (the log already says plenty); bounds the memory. */
const MAX_REMEMBERED_BUGS = 100;

function reportBug(err: unknown, log: SyncLog): void {
  const kind = bugKind(err);
  let seen = reportedBugs.get(log);
  if (!seen) reportedBugs.set(log, (seen = new Set()));
  if (seen.has(kind)) return;
  if (seen.size < MAX_REMEMBERED_BUGS) seen.add(kind);
  log.error(
    {
      event: 'sync.bug',
      kind,
      error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
    },
    'a bug in Switchboard failed a sync step (logged once per kind; the user sees an internal error)',
  );
}

/** A bug's kind: its type and where it was thrown (the first stack frame), not its message, which names data. */
function bugKind(err: unknown): string {
  if (!(err instanceof Error)) return `thrown ${typeof err}`;
  const frame = err.stack
    ?.split('\n')
    .find((line) => line.trimStart().startsWith('at '))
    ?.trim();
  return frame ? `${err.name} ${frame}` : `${err.name}: ${err.message}`;
}

function nameOf(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

function describe(network: NetworkFailure): CodedText {
  if (network.kind === 'timeout') return said('sync.network.timedOut');
  return network.cause
    ? said('sync.network.connectionFailedBecause', { cause: network.cause })
    : said('sync.network.connectionFailed');
}

/** What to do about each kind of refusal, in the words an integration admin reads on the admin page. */
export function signInFix(refusal: SignInRefusal): CodedText {
  return said(`fix.signIn.${refusal}`);
}

function fixFor(status: number, system: string): CodedText {
  if (status === 401) return said('fix.checkCredentials', { system });
  if (status === 403) return said(system === 'Microsoft Graph' ? 'fix.graphConsent' : 'fix.cloudlinkRights');
  if (status === 404) return said('fix.userGone', { system });
  return said('fix.lookAtTrace');
}

/** Exponential backoff: 1 s, 2 s, 4 s ... up to 5 minutes, so queued work is retried but never hammered. */
export function backoffMs(attempt: number, baseMs = 1000, maxMs = 300_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
}
