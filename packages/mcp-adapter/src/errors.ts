/**
 * Errors of `@naftiko-ts/mcp-adapter`: configuration problems found while building the MCP
 * surface (these are local errors; wire errors are JSON-RPC errors or `isError` results).
 */
export type McpAdapterErrorCode =
  /** The same tool / prompt / resource name is declared by two adapters merged on one server. */
  | 'MCP_DUPLICATE_NAME'
  /** The adapter cannot be served as declared (bad option, unresolvable exposed secret…). */
  | 'MCP_CONFIG'
  /** A static resource or prompt `location` escapes the capability's directory or cannot be read. */
  | 'MCP_UNSAFE_LOCATION'
  /** A feature declared in the capability that this engine does not serve yet. */
  | 'MCP_UNSUPPORTED';

const BRAND = Symbol.for('naftiko-ts.mcp-adapter.error');

export class McpAdapterError extends Error {
  readonly code: McpAdapterErrorCode;
  readonly [BRAND] = true;

  constructor(code: McpAdapterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'McpAdapterError';
    this.code = code;
  }

  /** Brand check that works across duplicate installs of this package. */
  static isInstance(value: unknown): value is McpAdapterError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

const CONSUMER_BRAND = Symbol.for('naftiko-ts.consumer.error');

/** Structural view of a `ConsumerError` (checked through its brand, no runtime import needed). */
export interface ConsumerErrorLike {
  code: string;
  message: string;
  status?: number;
  raw?: Buffer;
  body?: unknown;
  headers?: Record<string, string | string[] | undefined>;
}

export function isConsumerError(value: unknown): value is ConsumerErrorLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[CONSUMER_BRAND] === true &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}
