/** Adaptive Cards are plain JSON; these helpers keep the schema boilerplate in one place. Teams renders 1.5. */
export type Card = Record<string, unknown>;

export function adaptiveCard(body: unknown[], actions: unknown[] = []): Card {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions.length ? { actions } : {}),
  };
}

export const text = (value: string, extra: Record<string, unknown> = {}) => ({
  type: 'TextBlock',
  text: value,
  wrap: true,
  ...extra,
});

export const facts = (pairs: [string, string][]) => ({
  type: 'FactSet',
  facts: pairs.map(([title, value]) => ({ title, value })),
});

/** Every Action.Submit carries `verb` so the bot knows which form came back. */
export const submit = (title: string, data: Record<string, unknown>) => ({
  type: 'Action.Submit',
  title,
  data,
});
