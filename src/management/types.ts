/**
 * The management API's framework-free request and response. Adapters (Azure
 * Functions, a local `node:http` server, tests) convert at the edge.
 */

export interface ManagementRequest {
  readonly method: string;
  /** Absolute URL as received, query included. */
  readonly url: string;
  readonly headers: Headers;
  readonly body: Uint8Array | null;
  /**
   * Reads the body instead of `body`, called only for an admitted caller whose
   * announced `Content-Length` is within the limit: adapters pass it so that
   * refused calls are answered without their bodies being read.
   */
  readonly readBody?: () => Promise<Uint8Array | null>;
}

/** What the adapter writes back; `headers` are single-valued. */
export interface ManagementResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** JSON text, or null for no body (HEAD, 204, and empty 200s). */
  readonly body: string | null;
}
