import type { Dispatcher, FormData } from 'undici';
import { ConsumerError } from './errors.js';

export interface WireRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | Uint8Array | FormData | undefined;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
}

export interface TransportOptions {
  dispatcher: Dispatcher;
  headersTimeout: number;
  bodyTimeout: number;
  maxResponseBytes: number;
  target: string;
}

const EMPTY = Buffer.alloc(0);

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const inner = (err as { errors?: unknown }).errors;
    if (Array.isArray(inner) && inner.length > 0) return errorCode(inner[0]);
  }
  return undefined;
}

/** Maps a transport failure to a typed error. `phase` is where it happened. */
export function mapTransportError(
  err: unknown,
  phase: 'headers' | 'body',
  target: string,
  signal: AbortSignal | undefined,
): ConsumerError {
  if (ConsumerError.isInstance(err)) return err;
  if (signal?.aborted) {
    return new ConsumerError('CONSUMER_ABORTED', `The call to ${target} was aborted.`, { cause: err, target, phase });
  }
  const code = errorCode(err);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new ConsumerError('CONSUMER_TIMEOUT', `Connecting to the upstream of ${target} timed out.`, {
        cause: err,
        target,
        phase: 'connect',
      });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new ConsumerError('CONSUMER_TIMEOUT', `The upstream of ${target} sent no response headers in time.`, {
        cause: err,
        target,
        phase: 'headers',
      });
    case 'UND_ERR_BODY_TIMEOUT':
      return new ConsumerError('CONSUMER_TIMEOUT', `The upstream of ${target} stalled while sending the body.`, {
        cause: err,
        target,
        phase: 'body',
      });
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return new ConsumerError('CONSUMER_ABORTED', `The call to ${target} was aborted.`, { cause: err, target, phase });
    default:
      break;
  }
  const what = phase === 'body' ? 'while reading the response body' : 'before a response arrived';
  if (code !== undefined && CONNECT_CODES.has(code)) {
    return new ConsumerError('CONSUMER_CONNECT', `The connection to the upstream of ${target} failed ${what} (${code}).`, {
      cause: err,
      target,
      phase: phase === 'body' ? 'body' : 'connect',
    });
  }
  return new ConsumerError('CONSUMER_CONNECT', `The request to the upstream of ${target} failed ${what}.`, {
    cause: err,
    target,
    phase: phase === 'body' ? 'body' : 'connect',
  });
}

/** True when the failure happened before the request could be processed (safe to retry idempotent calls). */
export function isConnectFailure(err: ConsumerError): boolean {
  return err.code === 'CONSUMER_CONNECT' && err.phase === 'connect';
}

/** Sends one request; reads the body up to the size limit. */
export async function send(req: WireRequest, opts: TransportOptions, signal?: AbortSignal): Promise<WireResponse> {
  let res: Dispatcher.ResponseData;
  try {
    res = await opts.dispatcher.request({
      origin: req.origin,
      path: req.path,
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body ?? null,
      headersTimeout: opts.headersTimeout,
      bodyTimeout: opts.bodyTimeout,
      signal: signal ?? null,
    });
  } catch (err) {
    throw mapTransportError(err, 'headers', opts.target, signal);
  }
  const { statusCode, headers, body } = res;
  const max = opts.maxResponseBytes;
  const declared = headers['content-length'];
  if (typeof declared === 'string' && Number(declared) > max) {
    discard(body);
    throw tooLarge(opts.target, statusCode, headers, max);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) {
        discard(body);
        throw tooLarge(opts.target, statusCode, headers, max);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    discard(body);
    throw mapTransportError(err, 'body', opts.target, signal);
  }
  const raw = chunks.length === 0 ? EMPTY : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  return { status: statusCode, headers, raw };
}

function noop(): void {}

/** Stops reading: destroys the body (and its socket) without an unhandled 'error' event. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', noop);
  body.destroy();
}

function tooLarge(
  target: string,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  max: number,
): ConsumerError {
  return new ConsumerError(
    'UPSTREAM_TOO_LARGE',
    `The upstream response of ${target} is larger than the limit of ${max} bytes.`,
    { target, status, headers },
  );
}
