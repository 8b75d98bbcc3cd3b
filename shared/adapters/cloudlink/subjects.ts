/**
 * Notification subjects, as subscriptions filter them. CloudLink's subjectFilter is a regular expression
 * (Mitel's examples: "/presentities/[^/]+$"), so ids are escaped and the pattern anchored to one user.
 * Presence: `/presentities/{principalId}`. Media: `/2017-09-01/endpoints/{principalId}/calls/{callId}` (the
 * prefix is what Mitel's sample filters on; the rest is an assumption the emulator shares).
 */
export function presenceSubjectFilter(principalId: string): string {
  return `^/presentities/${escape(principalId)}$`;
}

export function mediaSubjectFilter(principalId: string): string {
  return `^/2017-09-01/endpoints/${escape(principalId)}/calls/[^/]+$`;
}

/** Every user's presence events of the account (one subscription for the account instead of one per user). */
export const ALL_PRESENTITIES_FILTER = '^/presentities/[^/]+$';

/** Every call of every user of the account (one subscription for the account instead of one per user). */
export const ALL_CALLS_SUBJECT_FILTER = '^/2017-09-01/endpoints/[^/]+/calls/[^/]+$';

/** The principal a webhook subject names, for either topic (any API version); undefined for other shapes. */
export function principalOfSubject(subject: string): string | undefined {
  const m =
    /^\/presentities\/([^/]+)$/.exec(subject) ??
    /^\/\d{4}-\d{2}-\d{2}\/endpoints\/([^/]+)\/calls\/[^/]+$/.exec(subject);
  return m ? decode(m[1]) : undefined;
}

/** The call id a media subject names (`.../endpoints/{principalId}/calls/{callId}`). */
export function callOfSubject(subject: string): string | undefined {
  const m = /^\/\d{4}-\d{2}-\d{2}\/endpoints\/[^/]+\/calls\/([^/]+)$/.exec(subject);
  return m ? decode(m[1]) : undefined;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
