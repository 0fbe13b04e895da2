/**
 * RFC 9457 problem details: every error the REST adapter answers is `application/problem+json`
 * with a stable `type` URI `urn:naftiko-ts:problem:<slug>`.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
export const PROBLEM_TYPE_PREFIX = 'urn:naftiko-ts:problem:';

/** Every problem the adapter can answer, with its HTTP status and fixed title. */
export const PROBLEMS = {
  'not-found': { status: 404, title: 'Not Found' },
  'method-not-allowed': { status: 405, title: 'Method Not Allowed' },
  'malformed-json': { status: 400, title: 'Malformed JSON body' },
  'bad-request': { status: 400, title: 'Bad Request' },
  'invalid-input': { status: 400, title: 'Invalid input' },
  'missing-input': { status: 400, title: 'Missing input' },
  'unsupported-media-type': { status: 415, title: 'Unsupported Media Type' },
  'payload-too-large': { status: 413, title: 'Payload Too Large' },
  'uri-too-long': { status: 414, title: 'URI Too Long' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  'upstream-unauthorized': { status: 502, title: 'Upstream refused the gateway credentials' },
  'upstream-error': { status: 502, title: 'Upstream error' },
  'upstream-bad-body': { status: 502, title: 'Upstream sent an invalid response' },
  'upstream-unreachable': { status: 502, title: 'Upstream unreachable' },
  'upstream-timeout': { status: 504, title: 'Upstream timeout' },
  'not-implemented': { status: 501, title: 'Not Implemented' },
  'request-aborted': { status: 499, title: 'Client Closed Request' },
  'not-ready': { status: 503, title: 'Service Unavailable' },
  'internal-error': { status: 500, title: 'Internal Server Error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemSlug = keyof typeof PROBLEMS;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

export function problemType(slug: ProblemSlug): string {
  return PROBLEM_TYPE_PREFIX + slug;
}

/** Builds a problem document from its slug. `extensions` are extra members (`allow`, `errors`…). */
export function problem(
  slug: ProblemSlug,
  detail: string,
  instance?: string,
  extensions?: Record<string, unknown>,
): Problem {
  const { status, title } = PROBLEMS[slug];
  const doc: Problem = { type: PROBLEM_TYPE_PREFIX + slug, title, status, detail };
  if (instance !== undefined) doc.instance = instance;
  if (extensions !== undefined) {
    for (const [k, v] of Object.entries(extensions)) {
      if (!(k in doc)) doc[k] = v;
    }
  }
  return doc;
}

const BRAND = Symbol.for('naftiko-ts.rest-adapter.problem');

/**
 * Thrown inside hooks and handlers to answer a given problem; the adapter's error handler turns it
 * into the response. `headers` are added to the response (`Allow`, `WWW-Authenticate`).
 */
export class ProblemError extends Error {
  readonly slug: ProblemSlug;
  readonly statusCode: number;
  readonly detail: string;
  readonly headers: Record<string, string> | undefined;
  readonly extensions: Record<string, unknown> | undefined;
  readonly [BRAND] = true;

  constructor(
    slug: ProblemSlug,
    detail: string,
    options?: { headers?: Record<string, string>; extensions?: Record<string, unknown>; cause?: unknown },
  ) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProblemError';
    this.slug = slug;
    this.statusCode = PROBLEMS[slug].status;
    this.detail = detail;
    this.headers = options?.headers;
    this.extensions = options?.extensions;
  }

  static isInstance(value: unknown): value is ProblemError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
