/**
 * The bot's commands: the manifest's command list and the bot's dispatcher are both built from this table, and a
 * test checks the manifest names exactly these. Titles are at most 32 characters, descriptions 128 (manifest limits).
 */
export const BOT_COMMANDS = [
  { title: 'help', description: 'What I can do for you' },
  { title: 'status', description: 'Your Teams and phone presence, last sync, any problem' },
  { title: 'sync', description: 'Resync your presence now' },
  { title: 'report', description: 'Report a problem, with diagnostics attached' },
  { title: 'settings', description: 'Missed-call notices and how click-to-call dials' },
] as const;

export type BotCommand = (typeof BOT_COMMANDS)[number]['title'];
