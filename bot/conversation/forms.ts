import { z } from 'zod';

/** What comes back from the bot's cards (Action.Submit data plus the inputs), validated before anything is done. */
export const reportForm = z.object({
  verb: z.literal('submitReport'),
  category: z.enum(['presence', 'callHistory', 'clickToCall', 'signIn', 'other']),
  description: z.string().trim().min(1).max(4000),
  includeDiagnostics: z.enum(['true', 'false']).default('true'),
});

export const settingsForm = z.object({
  verb: z.literal('saveSettings'),
  missedCallNotice: z.enum(['true', 'false']).default('false'),
  clickToCall: z.enum(['default', 'tel', 'custom']).default('default'),
  customTemplate: z.string().max(200).optional(),
});

export const reportStatusForm = z.object({
  verb: z.literal('reportStatus'),
  reportId: z.string().min(1),
  status: z.enum(['acknowledged', 'needsInfo', 'resolved']),
  note: z.string().max(2000).optional(),
});

export const replyForm = z.object({
  verb: z.literal('replyToReport'),
  reportId: z.string().min(1),
  answer: z.string().trim().min(1).max(4000),
});
