/**
 * From the consumer's outcome (a result, or a `ConsumerError`) to what the REST client gets.
 * The consumer package is read through its brand (`Symbol.for('naftiko-ts.consumer.error')`), so
 * two installed copies still agree.
 */
import type { Authentication, Capability, Expr } from '@naftiko-ts/spec';
import type { ConsumerErrorCode } from '@naftiko-ts/consumer';

const CONSUMER_BRAND = Symbol.for('naftiko-ts.consumer.error');

/** An upstream HTTP response, as far as the adapter needs it. */
export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  contentType: string | undefined;
  raw: Buffer | undefined;
}

export interface ConsumerFailure {
  code: ConsumerErrorCode | string;
  /** Present for `UPSTREAM_STATUS` (and whenever the consumer got a response). */
  response: UpstreamResponse | undefined;
  cause: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function toBuffer(v: unknown): Buffer | undefined {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return undefined;
}

function responseFrom(src: Record<string, unknown>): UpstreamResponse | undefined {
  const status = src['status'] ?? src['statusCode'] ?? src['upstreamStatus'];
  if (typeof status !== 'number') return undefined;
  const headers = isRecord(src['headers']) ? (src['headers'] as UpstreamResponse['headers']) : {};
  const ctHeader = headers['content-type'];
  const contentType = typeof src['contentType'] === 'string' ? src['contentType'] : typeof ctHeader === 'string' ? ctHeader : undefined;
  let raw = toBuffer(src['raw']);
  if (raw === undefined) {
    const body = src['rawBody'] ?? src['bodyText'] ?? src['body'];
    raw = toBuffer(body);
    if (raw === undefined && body !== undefined && body !== null && isRecord(body)) raw = Buffer.from(JSON.stringify(body));
  }
  return { status, headers, contentType, raw };
}

/** Reads a consumer error (from any installed copy); `undefined` when `err` is something else. */
export function readConsumerError(err: unknown): ConsumerFailure | undefined {
  if (!isRecord(err)) return undefined;
  const branded = (err as Record<symbol, unknown>)[CONSUMER_BRAND] === true || err['name'] === 'ConsumerError';
  if (!branded || typeof err['code'] !== 'string') return undefined;
  let response: UpstreamResponse | undefined;
  for (const key of ['response', 'result', 'upstream']) {
    const v = err[key];
    if (isRecord(v)) {
      response = responseFrom(v);
      if (response !== undefined) break;
    }
  }
  response ??= responseFrom(err);
  return { code: err['code'], response, cause: err };
}

/** Names (env var / bind variable) of the secrets a consumes block's `authentication` reads. */
export function authSecretNames(auth: Authentication | undefined): string[] {
  if (auth === undefined) return [];
  const exprs: Array<Expr | undefined> = [];
  switch (auth.type) {
    case 'apikey':
      exprs.push(auth.value);
      break;
    case 'bearer':
      exprs.push(auth.token);
      break;
    case 'basic':
    case 'digest':
      exprs.push(auth.username, auth.password);
      break;
    case 'oauth2':
      exprs.push(auth.clientId, auth.clientSecret);
      break;
  }
  const names: string[] = [];
  for (const e of exprs) {
    if (e?.kind !== 'template') continue;
    for (const part of e.parts) {
      if (part.kind === 'ref' && part.ref.kind === 'bind') {
        const n = part.ref.sourceKey === part.ref.variable ? part.ref.sourceKey : `${part.ref.sourceKey} (bind variable ${part.ref.variable})`;
        if (!names.includes(n)) names.push(n);
      }
    }
  }
  return names;
}

/** The `detail` of the 502 answered when the upstream refuses the gateway's own credentials. */
export function upstreamUnauthorizedDetail(capability: Capability, namespace: string | undefined): string {
  const consumes = capability.consumes.find((c) => c.namespace === namespace);
  const auth = consumes?.authentication;
  const where = namespace === undefined ? 'the upstream API' : `the upstream API (consumes \`${namespace}\`)`;
  const head = `${where} answered 401: it refused the gateway's own credentials.`;
  if (auth === undefined) return `${capitalise(head)} The consumes block declares no \`authentication\`; add one.`;
  const names = authSecretNames(auth);
  if (names.length === 0) return `${capitalise(head)} Check the \`${auth.type}\` authentication values of the consumes block.`;
  return `${capitalise(head)} Check the secret${names.length > 1 ? 's' : ''} ${names.join(', ')} (\`${auth.type}\` authentication).`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Upstream headers kept on a passed-through 429. */
export function isRateLimitHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'retry-after' || n === 'x-retry-after' || n.startsWith('x-rate-limit-') || n.startsWith('ratelimit');
}
