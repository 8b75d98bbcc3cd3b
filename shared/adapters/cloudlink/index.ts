export { CloudLinkClient, CLOUDLINK_MAX_TOP } from './client';
export type { CloudLinkAdapterOptions, CloudLinkOutcome } from './options';
export { parseCloudLinkWebhook, presenceFromEvent, InvalidCloudLinkWebhook } from './webhook';
export {
  presenceSubjectFilter,
  mediaSubjectFilter,
  principalOfSubject,
  ALL_CALLS_SUBJECT_FILTER,
} from './subjects';
