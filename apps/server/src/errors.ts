/**
 * Errors of `@naftiko-ts/server`. Codes come from a closed set; every error carries the
 * human-readable `details` (one line each) that the CLI prints before exiting with status 2.
 */

export type ServerErrorCode =
  /** Bad command line (unknown flag, malformed `--var`, bad port…). */
  | 'SERVER_USAGE'
  /** A capability file or directory could not be read. */
  | 'SERVER_LOAD'
  /** A capability has error diagnostics. */
  | 'SERVER_DIAGNOSTICS'
  /** Deployment configuration is missing or wrong (variables, secrets, bind files). */
  | 'SERVER_CONFIG'
  /** Adapters from different files cannot share a listener (route/tool collision, auth mismatch). */
  | 'SERVER_CONFLICT'
  /** A listener could not be opened (port in use, permission denied). */
  | 'SERVER_LISTEN'
  /** Nothing to serve. */
  | 'SERVER_EMPTY';

const BRAND = Symbol.for('naftiko-ts.server.error');

export class ServerError extends Error {
  override readonly name = 'ServerError';
  readonly code: ServerErrorCode;
  /** One line per problem, safe to print (never contains secret values). */
  readonly details: readonly string[];

  constructor(code: ServerErrorCode, message: string, options: { details?: readonly string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? [];
    Object.defineProperty(this, BRAND, { value: true });
  }

  static isInstance(value: unknown): value is ServerError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
