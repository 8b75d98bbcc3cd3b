/**
 * What `npm run playground` starts, worked out from the environment without starting anything: the Agents
 * Playground CLI's arguments, the bot endpoint they point at and the playground's Teams context file.
 */

/** The port `npm start` listens on when PORT is unset (shared/config/schema.ts). */
export const DEFAULT_BOT_PORT = 3978;
/** Where the playground serves its own page: the CLI's default, written out because docs/bot.md names the address. */
export const PLAYGROUND_WEB_PORT = 56150;

export interface PlaygroundLaunch {
  /** The bot's /api/messages on this machine, at the port the server uses. */
  endpoint: string;
  /** The arguments after the CLI's script: the endpoint, the Teams channel, the web port, then the caller's own. */
  args: string[];
  /** The playground's Teams context (people, a team with an admins' channel). */
  configPath: string;
}

export class PlaygroundPortError extends Error {}

/**
 * PORT as the server reads it, but only a port the playground can connect to: the server also takes 0 (any free
 * port), which names no endpoint to point at.
 */
export function botPort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_BOT_PORT;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new PlaygroundPortError(
      `PORT must be the port the bot listens on (1-65535, as for npm start), not "${value}"`,
    );
  }
  return port;
}

export function playgroundLaunch(
  env: { PORT?: string; M365_AGENTS_PLAYGROUND_CONFIG_PATH?: string },
  extraArgs: readonly string[],
  defaultConfigPath: string,
): PlaygroundLaunch {
  const endpoint = `http://127.0.0.1:${botPort(env.PORT)}/api/messages`;
  return {
    endpoint,
    args: ['start', '-e', endpoint, '-c', 'msteams', '-p', String(PLAYGROUND_WEB_PORT), ...extraArgs],
    configPath: env.M365_AGENTS_PLAYGROUND_CONFIG_PATH ?? defaultConfigPath,
  };
}
