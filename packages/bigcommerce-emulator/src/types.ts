import type { IncomingHttpHeaders } from 'node:http';
import type { JsonWebKey, KeyObject } from 'node:crypto';

/** A customer the GraphQL stand-in answers for (`X-Bc-Customer-Id`). */
export interface CustomerProfile {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
}

/** A store: its hash (URL segment), numeric id (`sid` claim), channels and customers. */
export interface StoreConfig {
  hash: string;
  /** Numeric store id (10 digits at BigCommerce); becomes the JWT `sid` claim. */
  storeId: number;
  /** Channel ids that exist on the store (`channel_id`/`channel_ids` must be among them). */
  channels: number[];
  customers?: CustomerProfile[];
}

/** An API account access token (`X-Auth-Token`). */
export interface AccessTokenConfig {
  token: string;
  /** The store this token belongs to. */
  storeHash: string;
  /** API account client_id (31 lowercase alphanumeric characters); becomes the JWT `sub` claim. */
  clientId: string;
  /** OAuth scopes, e.g. `store_storefront_api_customer_impersonation`, `store_storefront_api`. */
  scopes: string[];
}

export type FaultKind = 'latency' | 'status' | 'reset' | 'garbage' | 'hang' | 'oversize';

/** A fault injected before normal handling of matching requests. */
export interface FaultRule {
  /** Requests the rule applies to; all requests when absent. */
  match?: {
    /** HTTP method, case-insensitive. */
    method?: string;
    /** Substring of, or RegExp tested against, the request path (without query). */
    path?: string | RegExp;
  };
  kind: FaultKind;
  /** `latency`: delay in ms before normal handling (default 100). */
  ms?: number;
  /** `status`: the status to answer (default 500; 503 for maintenance). */
  status?: number;
  /** `oversize`: body size in bytes (default 16 MiB). */
  bytes?: number;
  /** How many matching requests the rule applies to; unlimited when absent. */
  times?: number;
}

/** Pino-compatible logger; the emulator logs one debug line per request (never headers or bodies). */
export interface EmulatorLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RateLimitOptions {
  /** Requests per window per store. Default 150 (Standard/Plus plan). */
  quota?: number;
  /** Window length in ms. Default 30000. */
  windowMs?: number;
}

export interface EmulatorOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default {@link DEFAULT_STORES}. */
  stores?: StoreConfig[];
  /** Default {@link DEFAULT_TOKENS}. */
  tokens?: AccessTokenConfig[];
  rateLimit?: RateLimitOptions;
  faults?: FaultRule[];
  /** Milliseconds since the epoch. Default `Date.now`. Drives `iat`, expiry and the rate-limit window. */
  clock?: () => number;
  /** `expiresAt: true` rejects `expires_at` ≤ now or > 2147483647 with 422 (default: accepted). */
  strict?: { expiresAt?: boolean };
  /** Status for an unknown store hash (check 4). Default 401. */
  unknownStore?: 401 | 403 | 404;
  /** Both `channel_id` and `channel_ids` sent: 422 (`reject`, default) or use `channel_ids`. */
  bothChannels?: 'reject' | 'prefer-channel-ids';
  /** Issue `cid` as a bare integer (tokens issued before mid-2024). Default false (array). */
  legacyCid?: boolean;
  /** Most recent requests kept in `requests` (oldest dropped). Default 10000. */
  maxRecordedRequests?: number;
  /** Largest request body accepted, in bytes (larger → 413). Default 1 MiB. */
  maxBodyBytes?: number;
  logger?: EmulatorLogger;
}

/** A request as received by the emulator. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  /** Body as text (UTF-8). */
  body: string;
  /** `clock()` when the request was received. */
  at: number;
}

/** The resolved configuration of a running emulator. */
export interface EmulatorConfig {
  host: string;
  stores: readonly StoreConfig[];
  tokens: readonly AccessTokenConfig[];
  rateLimit: Required<RateLimitOptions>;
  strict: { expiresAt: boolean };
  unknownStore: 401 | 403 | 404;
  bothChannels: 'reject' | 'prefer-channel-ids';
  legacyCid: boolean;
  maxRecordedRequests: number;
  maxBodyBytes: number;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Stops listening and destroys every open socket (hanging requests included). Idempotent. */
  close(): Promise<void>;
  /** Requests received, oldest first (capped by `maxRecordedRequests`). Tests may clear it (`length = 0`). */
  readonly requests: RecordedRequest[];
  /** Public half of the P-256 key generated at start-up; verifies every issued JWT. */
  readonly publicKey: KeyObject;
  readonly publicJwk: JsonWebKey;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  resetRateLimits(): void;
  /** Signatures (third JWT segment) of revoked tokens. */
  readonly revoked: ReadonlySet<string>;
  readonly config: EmulatorConfig;
  /**
   * Signs an arbitrary payload with the emulator key (test helper: tokens with odd claims).
   * A string payload is used verbatim as the payload JSON text.
   */
  signJwt(payload: object | string): string;
}
