import type { Config } from '../../shared/config/load';
import type { Logger } from '../../shared/platform/logger';
import type { SecretBox } from '../../shared/platform/secret-box';
import type { Store } from '../../shared/ports/store';

/** What a clean-up step needs: the deployment's configuration and store, and where to say how it goes. */
export interface CleanupContext {
  config: Config;
  store: Store;
  secretBox: SecretBox;
  logger: Logger;
  tenantId: string;
  /** One line for the operator (stderr). */
  progress: (line: string) => void;
}

/** What one clean-up step did: what it removed, and (one line each) what is still there and why. */
export interface CleanupResult {
  deleted: string[];
  left: string[];
}
