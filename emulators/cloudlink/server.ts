import type { Clock } from '../common/clock';
import { listen, Router, type RunningServer } from '../common/http';
import { API_VERSION, mountApi } from './api-routes';
import { createControl, mountControl, type CloudLinkControl } from './control';
import { clErrorBody } from './errors';
import { Gate } from './gate';
import { NotificationHub } from './notifications';
import { SimulatedPbx } from './pbx';
import { authorizeEndpoint, tokenEndpoint } from './token-endpoint';
import { TokenService } from './tokens';

/**
 * The Mitel CloudLink emulator: the authentication, admin, media, presence and notifications services on one
 * port, told apart by the first path segment (`/{service}/2017-09-01/...`, so CLOUDLINK_API_BASE is the template
 * `http://127.0.0.1:PORT/{service}/2017-09-01`), with a simulated PBX behind them and test controls beside them.
 */
export type CloudLinkEmulator = RunningServer & {
  /** The CLOUDLINK_API_BASE template: `http://127.0.0.1:PORT/{service}/2017-09-01`. */
  apiBase: string;
  pbx: SimulatedPbx;
  control: CloudLinkControl;
};

export interface CloudLinkEmulatorOptions {
  clock: Clock;
  port?: number;
}

export async function startCloudLinkEmulator(options: CloudLinkEmulatorOptions): Promise<CloudLinkEmulator> {
  const pbx = new SimulatedPbx(options.clock);
  const tokens = new TokenService(options.clock);
  const gate = new Gate(options.clock, tokens);
  const hub = new NotificationHub(options.clock);
  pbx.onEvent((e) => hub.publish(e));
  const control = createControl(pbx, tokens, gate, hub);

  const router = new Router()
    .on('POST', `/authentication/${API_VERSION}/token`, gate.anonymous(tokenEndpoint(pbx, tokens)))
    .on('POST', `/authentication/${API_VERSION}/authorize`, gate.anonymous(authorizeEndpoint(pbx, tokens)));
  mountApi(router, gate, pbx, hub);
  mountControl(router, pbx, control);

  const running = await listen(router, {
    port: options.port,
    errorBody: (_status, code, message) => clErrorBody(code, message),
  });
  return {
    ...running,
    apiBase: `${running.baseUrl}/{service}/${API_VERSION}`,
    pbx,
    control,
    close: async () => {
      pbx.stopRandomCalls();
      await running.close();
    },
  };
}
