import path from 'node:path';
import { buildAppPackage } from './build-package';
import { syncCommands } from './sources';

/**
 * `npm run package [-- --env dev] [--env-file path] [--sync-commands]`
 * Builds appPackage/build/appPackage.<env>.zip from env/.env.<env> (default env: local).
 * --sync-commands first rewrites the bot command menu in manifest.json and de.json from shared/teams/bot-commands.ts.
 *
 * The npm script runs `tsx package.ts --`: without that `--`, tsx takes `--env-file` as Node's own flag and loads the
 * file itself (or dies when it is missing) instead of passing it on.
 */
interface Args {
  env?: string;
  envFile?: string;
  syncCommands: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { syncCommands: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--env') args.env = value();
    else if (arg === '--env-file') args.envFile = path.resolve(value());
    else if (arg === '--sync-commands') args.syncCommands = true;
    else throw new Error(`unknown argument ${arg} (expected --env NAME, --env-file PATH, --sync-commands)`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.syncCommands) {
    const changed = syncCommands();
    console.log(
      changed.length > 0
        ? `updated the command menu in ${changed.join(', ')}`
        : 'command menu already in step',
    );
  }
  const built = await buildAppPackage({ env: args.env, envFile: args.envFile });
  console.log(`wrote ${path.relative(process.cwd(), built.zipPath)}: ${built.files.join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(`npm run package: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
