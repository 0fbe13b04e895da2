/**
 * Public contract of `@naftiko-ts/consumer` (read by the REST and MCP adapters and the server).
 */
import type { Capability, ResolvedCall, OutputShape } from '@naftiko-ts/spec';
import type { Dispatcher } from 'undici';

/** Minimal logger (pino-compatible). Libraries never print; they log through this. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ConsumerTimeouts {
  /** TCP/TLS connect timeout, ms. Default 5000. */
  connect?: number;
  /** Time to response headers, ms. Default 30000. */
  headers?: number;
  /** Time between body chunks, ms. Default 30000. */
  body?: number;
}

export interface CreateConsumerOptions {
  capability: Capability;
  /** Deployment variables for `baseUri` placeholders (`--var store_hash=abc`). */
  vars?: Record<string, string>;
  /** Environment used for binds without `location` and for upper-cased `baseUri` variables. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Explicit bind values (`VAR → value`), taking precedence over env / files. */
  secrets?: Record<string, string>;
  /** `namespace → URL` replacing a consumes block's `baseUri` (may contain the same placeholders). */
  baseUriOverrides?: Record<string, string>;
  /** Reads `file://` bind locations; default reads from disk relative to the capability source. */
  readFile?: (path: string) => string;
  dispatcher?: Dispatcher;
  logger?: Logger;
  timeouts?: ConsumerTimeouts;
  /** Maximum upstream response size in bytes. Default 10 MiB. */
  maxResponseBytes?: number;
  retry?: {
    /** Max retries for idempotent methods (GET/HEAD/PUT/DELETE). Default 2. */
    max?: number;
    /** Cap for honoured Retry-After / X-Retry-After, ms. Default 5000. */
    maxDelayMs?: number;
  };
  /** Waits between retries (injectable so tests do not wait). Default: a timer honouring `signal`. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Current time in ms (OAuth2 token expiry, `Retry-After` dates). Default `Date.now`. */
  clock?: () => number;
  oauth2?: {
    /** Refresh a token this long before it expires (capped at half its lifetime), ms. Default 30000. */
    refreshSkewMs?: number;
    /** How the client authenticates at the token endpoint. Default `basic` (RFC 6749 §2.3.1). */
    clientAuth?: 'basic' | 'post';
  };
}

/**
 * A cheaper alternative to an `AbortSignal` for hot paths (no `AbortController` and no abort
 * listener per call). The caller creates `{ aborted: false, onAbort: undefined }`; while an upstream
 * request is in flight the consumer sets `onAbort`; to abort, the caller sets `aborted = true` and
 * calls `onAbort?.()`.
 */
export interface AbortHandle {
  aborted: boolean;
  onAbort: (() => void) | undefined;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Hot-path alternative to `signal` (ignored when `signal` is given). */
  abort?: AbortHandle;
  /** Request id to log and forward as `X-Request-Id`. */
  requestId?: string;
}

export interface ConsumerResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  contentType: string | undefined;
  /** The raw response bytes. */
  raw: Buffer;
  /** True when the output shape is a whole-body passthrough: `raw` can be sent as-is. */
  passthrough: boolean;
  /** Parsed body (lazy: parsed on first access). */
  readonly body: unknown;
  /** The body shaped by the output mapping (lazy). For passthrough, the parsed body. */
  readonly mapped: unknown;
}

/** A call prepared once (at start-up) and invoked per request: the hot path. */
export interface PreparedCall {
  readonly target: string;
  readonly method: string;
  invoke(inputs: Record<string, unknown>, options?: CallOptions): Promise<ConsumerResult>;
}

export interface StartupProblem {
  kind: 'missing-variable' | 'missing-secret' | 'unreadable-bind-file' | 'invalid-base-uri';
  /** The variable / secret name. */
  name: string;
  /** What to set, e.g. `set STORE_HASH or pass --var store_hash=…`. */
  hint: string;
  namespace?: string;
}

export interface Consumer {
  /** Problems found at start-up (missing baseUri variables, missing secrets…), all at once. */
  readonly problems: readonly StartupProblem[];
  /** Throws a `ConsumerError` (`CONSUMER_CONFIG`) listing every problem when there is any. */
  assertReady(): void;
  prepare(call: ResolvedCall, output?: OutputShape): PreparedCall;
  /** One-off call: `with` (if given) maps exposed inputs to consumed params; otherwise inputs are consumed params. */
  call(
    namespace: string,
    operation: string,
    inputs: Record<string, unknown>,
    options?: CallOptions & { with?: ResolvedCall['with']; output?: OutputShape },
  ): Promise<ConsumerResult>;
  /** Every secret value (for log redaction by the host). Never log this. */
  secretValues(): readonly string[];
  close(): Promise<void>;
}

export type ConsumerErrorCode =
  | 'CONSUMER_CONFIG'
  | 'CONSUMER_TIMEOUT'
  | 'CONSUMER_CONNECT'
  | 'CONSUMER_ABORTED'
  | 'UPSTREAM_STATUS'
  | 'UPSTREAM_BAD_BODY'
  | 'UPSTREAM_TOO_LARGE'
  | 'UNSUPPORTED_FORMAT'
  | 'MISSING_INPUT'
  | 'INVALID_INPUT';
