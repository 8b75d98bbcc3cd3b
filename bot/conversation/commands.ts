import { BOT_COMMANDS, type BotCommand } from '../../shared/teams/bot-commands';
import type { Messages } from './messages';

/** What a typed message asks for. `rest` keeps the user's own words and case (e.g. `report <text>`). */
export type Parsed =
  | { kind: 'command'; command: BotCommand; rest: string }
  | { kind: 'signOut' }
  | { kind: 'adminNoticesHere' }
  | { kind: 'empty' }
  | { kind: 'other'; text: string };

const SIGN_OUT = /^(sign ?out|log ?out)$/;
const ADMIN_CHANNEL = /^admin notices here$/;
/**
 * Words people type in their own language for a command. Only "hilfe": a German user who is lost types it, and
 * "I did not understand „hilfe“" is no answer to that. The manifest keeps the English titles.
 */
const SAID_AS = new Map<string, BotCommand>([['hilfe', 'help']]);

/** In channels the text starts with the bot's @mention; the transport strips it, this strips a leftover <at> tag. */
export function parseText(raw: string): Parsed {
  const text = raw.replace(/<at>.*?<\/at>/gi, '').trim();
  const normal = text.toLowerCase().replace(/\s+/g, ' ');
  if (normal === '') return { kind: 'empty' };
  if (SIGN_OUT.test(normal)) return { kind: 'signOut' };
  if (ADMIN_CHANNEL.test(normal)) return { kind: 'adminNoticesHere' };
  const [first = '', ...restWords] = text.split(/\s+/);
  const word = first.toLowerCase();
  const command = BOT_COMMANDS.find((c) => c.title === word)?.title ?? SAID_AS.get(word);
  if (command) return { kind: 'command', command, rest: restWords.join(' ') };
  return { kind: 'other', text };
}

export function helpText(m: Messages): string {
  const lines = BOT_COMMANDS.map((c) => `- **${c.title}**: ${m.commandDescriptions[c.title]}`);
  return `${m.helpIntro}\n\n${lines.join('\n')}\n- **sign out**: ${m.signOutCommand}`;
}
