import { BOT_COMMANDS, type BotCommand } from '../../shared/teams/bot-commands';

/**
 * The manifest's bot command menu is generated from shared/teams/bot-commands.ts, the same table the bot dispatches
 * on, so the menu can never offer a command the bot does not handle.
 *
 * German descriptions are keyed by command: adding a command to the table without a translation fails the
 * typecheck. Titles are deliberately not translated: Teams sends the chosen title as the message text, and the bot
 * matches the English titles.
 */
const GERMAN_DESCRIPTIONS: Record<BotCommand, string> = {
  help: 'Was ich für Sie tun kann',
  status: 'Ihre Teams- und Telefonpräsenz, letzte Synchronisierung, Probleme',
  sync: 'Ihre Präsenz jetzt neu synchronisieren',
  report: 'Ein Problem melden, mit Diagnosedaten',
  settings: 'Hinweise auf verpasste Anrufe und Wählverfahren',
};

export interface ManifestCommand {
  title: string;
  description: string;
}

export interface CommandList {
  scopes: string[];
  commands: ManifestCommand[];
}

export function manifestCommandLists(): CommandList[] {
  return [
    {
      scopes: ['personal'],
      commands: BOT_COMMANDS.map(({ title, description }) => ({ title, description })),
    },
  ];
}

/** The localization keys for the command descriptions (e.g. `bots[0].commandLists[0].commands[2].description`). */
export function germanCommandStrings(): Record<string, string> {
  const entries = BOT_COMMANDS.map(
    ({ title }, index) =>
      [`bots[0].commandLists[0].commands[${index}].description`, GERMAN_DESCRIPTIONS[title]] as const,
  );
  return Object.fromEntries(entries);
}

export const COMMAND_KEY = /^bots\[0\]\.commandLists\[\d+\]\.commands\[\d+\]\./;
