export { CloudLinkClient, CLOUDLINK_MAX_TOP } from './client';
export type { CloudLinkAdapterOptions } from './options';
export { readCloudLinkWebhook } from './webhook';
export { presenceSubjectFilter, mediaSubjectFilter, ALL_CALLS_SUBJECT_FILTER } from './subjects';
