export { CloudLinkClient, CLOUDLINK_MAX_TOP } from './client';
export type { CloudLinkAdapterOptions, CloudLinkOutcome } from './options';
export { parseCloudLinkWebhook, pbxChangeOf, InvalidCloudLinkWebhook } from './webhook';
export {
  presenceSubjectFilter,
  mediaSubjectFilter,
  principalOfSubject,
  callOfSubject,
  ALL_CALLS_SUBJECT_FILTER,
} from './subjects';
