/**
 * `npm run playground`: the Microsoft 365 Agents Playground against the local bot at the port `npm start` uses
 * (PORT, default 3978). A script because npm cannot expand an environment variable the same way in every shell;
 * what it starts is worked out in playground/launch.ts, this file only starts it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PlaygroundPortError, playgroundLaunch, type PlaygroundLaunch } from './playground/launch';

const root = join(__dirname, '..');
let launch: PlaygroundLaunch;
try {
  // The demo's Teams context: its people and a team with an admins' channel (see the file).
  launch = playgroundLaunch(
    process.env,
    process.argv.slice(2),
    join(root, 'emulators', 'seed', 'playground.yml'),
  );
} catch (e) {
  if (!(e instanceof PlaygroundPortError)) throw e;
  console.error(e.message);
  process.exit(2);
}
const cli = join(root, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
console.log(`Agents Playground → ${launch.endpoint}`);
const env = { ...process.env, M365_AGENTS_PLAYGROUND_CONFIG_PATH: launch.configPath };
const child = spawn(process.execPath, [cli, ...launch.args], { stdio: 'inherit', env });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
