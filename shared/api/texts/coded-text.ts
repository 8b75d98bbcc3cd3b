/**
 * A sentence Switchboard's server writes for people (a sync problem, what to do about it, a check's result), named by
 * a stable code with its values, beside the English it keeps writing for logs, API clients and older tabs. The tab
 * words a code it knows in the reader's language and shows the English for one it does not (a newer server).
 */
export interface CodedText {
  code: string;
  params?: Record<string, TextParam>;
}

/**
 * A value in a coded text: a name or a provider's own words (shown verbatim), a number, a moment (`{ date }`, ISO;
 * formatted in the reader's locale) or another of our sentences (worded in the reader's language too). Never a
 * secret: these go to the tab and into the store.
 */
export type TextParam = string | number | { date: string } | CodedText;

/** Replaces {name} placeholders with `show(value)`; a placeholder without a value stays visible, so it is noticed. */
export function fillPlaceholders(
  template: string,
  params: Record<string, TextParam> | undefined,
  show: (value: TextParam) => string,
): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params && Object.hasOwn(params, name) ? params[name] : undefined;
    return value === undefined ? whole : show(value);
  });
}

export function isCodedText(value: TextParam): value is CodedText {
  return typeof value === 'object' && 'code' in value;
}
