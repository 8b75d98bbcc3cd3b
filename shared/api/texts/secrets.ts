/**
 * What a refused secret of the tenant link says (the configuration check's and the health view's): which secret,
 * by the date it was saved, and the provider's code (AADSTS7000215, HTTP 401) as the provider gave it.
 * `{system}` is Entra or CloudLink; `{date}` is a moment, shown as a date.
 */
export const secretTextsEn = {
  'secret.refusedSavedOn': 'The secret saved on {date} was refused by {system}: {code}.',
  'secret.refusedSavedOnNoCode': 'The secret saved on {date} was refused by {system}.',
  'secret.refusedInUse': 'The secret in use was refused by {system}: {code}.',
  'secret.refusedInUseNoCode': 'The secret in use was refused by {system}.',
} as const satisfies Record<string, string>;

export type SecretTextCode = keyof typeof secretTextsEn;
