/**
 * Errors raised by `@naftiko-ts/rest-adapter` while building an app (configuration problems).
 * Wire errors (what a client sees) are problem+json documents, see `problem.ts`.
 */

export type RestAdapterErrorCode =
  /** No `exposes: type: rest` adapter in the capability given. */
  | 'REST_NO_ADAPTER'
  /** Options are missing or inconsistent. */
  | 'REST_INVALID_OPTIONS'
  /** The same method + path is declared twice (possibly by two capability files). */
  | 'REST_ROUTE_CONFLICT'
  /** A declared resource collides with `/openapi.json`, `/healthz`, `/readyz` or `/metrics`. */
  | 'REST_RESERVED_PATH'
  /** A path the router cannot represent. */
  | 'REST_INVALID_PATH'
  /** A secret needed by the exposed-side `authentication` could not be resolved. */
  | 'REST_AUTH_SECRET_MISSING'
  /** An exposed-side authentication type the REST adapter does not enforce. */
  | 'REST_AUTH_UNSUPPORTED';

const BRAND = Symbol.for('naftiko-ts.rest-adapter.error');

export class RestAdapterError extends Error {
  readonly code: RestAdapterErrorCode;
  readonly [BRAND] = true;

  constructor(code: RestAdapterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RestAdapterError';
    this.code = code;
  }

  /** True for a `RestAdapterError` from any copy of this package. */
  static isInstance(value: unknown): value is RestAdapterError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
