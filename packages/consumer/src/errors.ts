import type { ConsumerErrorCode } from './types.js';

const BRAND = Symbol.for('naftiko-ts.consumer.error');

/** The phase in which a network failure happened. */
export type ConsumerErrorPhase = 'connect' | 'headers' | 'body' | 'token';

export interface ConsumerErrorDetails {
  cause?: unknown;
  /** `namespace.operation` of the consumed call. */
  target?: string;
  phase?: ConsumerErrorPhase;
  /** Upstream status (UPSTREAM_STATUS). */
  status?: number;
  /** Upstream response headers (UPSTREAM_STATUS), rate-limit headers included. */
  headers?: Record<string, string | string[] | undefined>;
  /** Parsed upstream body when it was JSON, else the text (UPSTREAM_STATUS). */
  body?: unknown;
  /** Raw upstream body bytes (UPSTREAM_STATUS, UPSTREAM_BAD_BODY). */
  raw?: Buffer;
  /** Names involved (missing inputs, unset variables). Never values. */
  names?: readonly string[];
  /** Start-up problems (CONSUMER_CONFIG). */
  problems?: readonly unknown[];
}

/**
 * The one error class of `@naftiko-ts/consumer`. `code` is from a closed set; secrets never appear
 * in `message`, `toJSON()` or `util.inspect` of it.
 */
export class ConsumerError extends Error {
  readonly code: ConsumerErrorCode;
  readonly target: string | undefined;
  readonly phase: ConsumerErrorPhase | undefined;
  readonly status: number | undefined;
  readonly headers: Record<string, string | string[] | undefined> | undefined;
  readonly body: unknown;
  /** Raw upstream bytes; not enumerable, so loggers serialising the error do not dump them. */
  declare readonly raw: Buffer | undefined;
  readonly names: readonly string[] | undefined;
  readonly problems: readonly unknown[] | undefined;

  constructor(code: ConsumerErrorCode, message: string, details: ConsumerErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ConsumerError';
    this.code = code;
    this.target = details.target;
    this.phase = details.phase;
    this.status = details.status;
    this.headers = details.headers;
    this.body = details.body;
    Object.defineProperty(this, 'raw', { value: details.raw, enumerable: false, writable: false });
    this.names = details.names;
    this.problems = details.problems;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  /** True for a `ConsumerError` from any copy of this package. */
  static isInstance(value: unknown): value is ConsumerError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    if (this.target !== undefined) out.target = this.target;
    if (this.phase !== undefined) out.phase = this.phase;
    if (this.status !== undefined) out.status = this.status;
    if (this.headers !== undefined) out.headers = this.headers;
    if (this.body !== undefined) out.body = this.body;
    if (this.names !== undefined) out.names = this.names;
    if (this.problems !== undefined) out.problems = this.problems;
    const cause = this.cause as { name?: unknown; code?: unknown; message?: unknown } | undefined;
    if (cause && typeof cause === 'object') {
      out.cause = { name: cause.name, code: cause.code, message: cause.message };
    }
    return out;
  }
}
