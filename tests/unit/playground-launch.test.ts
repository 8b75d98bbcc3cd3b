import { PlaygroundPortError, playgroundLaunch } from '../../scripts/playground/launch';

const SEED = '/repo/emulators/seed/playground.yml';

/** `npm run playground` points the Agents Playground at the bot where `npm start` put it (issue 14). */
describe('what npm run playground starts', () => {
  /** The value after the CLI's -e flag: where the playground sends the activities. */
  const endpointArg = (args: string[]) => args[args.indexOf('-e') + 1];

  it('follows PORT to the bot endpoint on this machine', () => {
    const launch = playgroundLaunch({ PORT: '4100' }, [], SEED);
    expect(launch.endpoint).toBe('http://127.0.0.1:4100/api/messages');
    expect(launch.args).toEqual([
      'start',
      '-e',
      'http://127.0.0.1:4100/api/messages',
      '-c',
      'msteams',
      '-p',
      '56150',
    ]);
  });

  it("uses npm start's port 3978 when PORT is unset", () => {
    expect(endpointArg(playgroundLaunch({}, [], SEED).args)).toBe('http://127.0.0.1:3978/api/messages');
  });

  it.each(['abc', '99999', '65536', '0', '', '-1', '4100.5', ' 4100', '4100abc'])(
    'refuses PORT=%j with a message naming it',
    (value) => {
      const launch = () => playgroundLaunch({ PORT: value }, [], SEED);
      expect(launch).toThrow(PlaygroundPortError);
      expect(launch).toThrow(
        `PORT must be the port the bot listens on (1-65535, as for npm start), not "${value}"`,
      );
    },
  );

  it('takes the highest and lowest ports a bot can listen on', () => {
    expect(playgroundLaunch({ PORT: '65535' }, [], SEED).endpoint).toBe(
      'http://127.0.0.1:65535/api/messages',
    );
    expect(playgroundLaunch({ PORT: '1' }, [], SEED).endpoint).toBe('http://127.0.0.1:1/api/messages');
  });

  it("reads the demo's Teams context unless M365_AGENTS_PLAYGROUND_CONFIG_PATH names another", () => {
    expect(playgroundLaunch({}, [], SEED).configPath).toBe(SEED);
    expect(
      playgroundLaunch({ M365_AGENTS_PLAYGROUND_CONFIG_PATH: '/tmp/mine.yml' }, [], SEED).configPath,
    ).toBe('/tmp/mine.yml');
  });

  it("passes the caller's own arguments on after its own", () => {
    const launch = playgroundLaunch({ PORT: '4100' }, ['--dt'], SEED);
    expect(launch.args.slice(-1)).toEqual(['--dt']);
    expect(endpointArg(launch.args)).toBe('http://127.0.0.1:4100/api/messages');
  });
});
