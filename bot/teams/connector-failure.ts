import { randomUUID } from 'node:crypto';

/**
 * What a failed post to the Bot Framework connector tells us, read from the error botframework-connector throws (a
 * RestError of @azure/core-rest-pipeline): only plain facts, never the request itself, which carries the bot's
 * token in its Authorization header.
 */
export interface ConnectorFailure {
  /** The connector's HTTP status; 0 when no answer came (the network failed). */
  status: number;
  /** The connector's error code (e.g. BotNotInConversationRoster), or the network error's (e.g. ECONNREFUSED). */
  code: string;
  message: string;
  /**
   * The x-ms-client-request-id the post carried, which the connector's operators can look up; a fresh id when the
   * post never left, so the log line still has one.
   */
  correlationId: string;
  /** The connector's own x-ms-request-id, when it answered with one. */
  requestId?: string;
  /**
   * The conversation will not take posts again: Teams answers 403 when the bot was removed, uninstalled or blocked
   * there and 404 when the conversation no longer exists, and asks bots not to retry either.
   */
  gone: boolean;
}

interface RestErrorLike {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
  request?: { requestId?: unknown };
  response?: { headers?: { get?: (name: string) => string | undefined } };
}

export function readConnectorFailure(error: unknown): ConnectorFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as RestErrorLike;
  const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
  const requestId = e.response?.headers?.get?.('x-ms-request-id');
  return {
    status,
    code: typeof e.code === 'string' && e.code ? e.code : status ? `HTTP${status}` : 'NoAnswer',
    message: String(e.message ?? error).slice(0, 300),
    correlationId: typeof e.request?.requestId === 'string' ? e.request.requestId : randomUUID(),
    ...(requestId ? { requestId } : {}),
    gone: status === 403 || status === 404,
  };
}
