/**
 * An outside call that got no HTTP answer. The adapters put this on their port error (status 0) so the sync layer
 * can tell a failure worth retrying with backoff from a bug in our own code, by type and not by reading messages.
 */
export interface NetworkFailure {
  /** `connection`: the connection failed or was dropped (reset, refused, DNS); `timeout`: no answer in time. */
  kind: 'connection' | 'timeout';
  /** The system's code of a connection failure when Node gives one (ECONNRESET, ECONNREFUSED, ENOTFOUND). */
  cause?: string;
}
