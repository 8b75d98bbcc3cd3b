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

/** Every call of every user of the account (one subscription for the account instead of one per user). */
export const ALL_CALLS_SUBJECT_FILTER = '^/2017-09-01/endpoints/[^/]+/calls/[^/]+$';

/** The principal a webhook subject names, for either topic; undefined for subjects of other shapes. */
export function principalOfSubject(subject: string): string | undefined {
  const m =
    /^\/presentities\/([^/]+)$/.exec(subject) ??
    /^\/2017-09-01\/endpoints\/([^/]+)\/calls\/[^/]+$/.exec(subject);
  return m?.[1];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
