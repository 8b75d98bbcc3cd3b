/**
 * `npm run playground`: the Microsoft 365 Agents Playground against the local bot at the port `npm start` uses
 * (PORT, default 3978). A script because npm cannot expand an environment variable the same way in every shell.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const port = process.env.PORT ?? '3978';
if (!/^\d{1,5}$/.test(port)) {
  console.error(`PORT must be a port number, not "${port}"`);
  process.exit(2);
}
const cli = join(__dirname, '..', 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
const args = ['start', '-e', `http://127.0.0.1:${port}/api/messages`, '-c', 'msteams', '-p', '56150'];
console.log(`Agents Playground → http://127.0.0.1:${port}/api/messages`);
// The demo's Teams context: its people and a team with an admins' channel (see the file).
const env = {
  ...process.env,
  M365_AGENTS_PLAYGROUND_CONFIG_PATH:
    process.env.M365_AGENTS_PLAYGROUND_CONFIG_PATH ??
    join(__dirname, '..', 'emulators', 'seed', 'playground.yml'),
};
const child = spawn(process.execPath, [cli, ...args, ...process.argv.slice(2)], { stdio: 'inherit', env });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
