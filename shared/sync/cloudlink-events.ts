/**
 * CloudLink webhooks as the sync service sees them. What an event means is parsed once, in the CloudLink adapter
 * (`pbxChangeOf`: presence, a call stage, or a call's end), for the engine and the missed-call notices alike.
 */
export { pbxChangeOf } from '../adapters/cloudlink/webhook';
export { ALL_CALLS_SUBJECT_FILTER } from '../adapters/cloudlink/subjects';

/** The subject filter (a regular expression) matching every user's presence events of the account. */
export const ALL_PRESENTITIES_FILTER = '^/presentities/[^/]+$';
