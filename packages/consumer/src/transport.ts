import type { Dispatcher, FormData } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { ConsumerError } from './errors.js';
import type { AbortHandle } from './types.js';

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
  signal: AbortSignal | boolean | undefined,
): ConsumerError {
  if (ConsumerError.isInstance(err)) return err;
  if (signal === true || (typeof signal === 'object' && signal.aborted)) {
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
export function send(
  req: WireRequest,
  opts: TransportOptions,
  signal?: AbortSignal,
  handle?: AbortHandle,
): Promise<WireResponse> {
  return new Promise<WireResponse>((resolve, reject) => {
    const handler = new CollectingHandler(opts, signal, handle, resolve, reject);
    try {
      opts.dispatcher.dispatch(
        {
          origin: req.origin,
          path: req.path,
          method: req.method as Dispatcher.HttpMethod,
          headers: req.headers,
          body: req.body ?? null,
          headersTimeout: opts.headersTimeout,
          bodyTimeout: opts.bodyTimeout,
        } as Dispatcher.DispatchOptions,
        handler,
      );
    } catch (err) {
      handler.fail(err);
    }
  });
}

function abortedError(): Error {
  const err = new Error('Request aborted') as Error & { code: string };
  err.name = 'AbortError';
  err.code = 'UND_ERR_ABORTED';
  return err;
}

/**
 * Collects the upstream response into one buffer straight from the dispatcher's callbacks: no
 * response stream, no async iterator, and no abort listener unless the caller passed a `signal`.
 */
class CollectingHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private done = false;
  private pendingAbort: Error | undefined;
  private readonly onSignal: (() => void) | undefined;

  constructor(
    private readonly opts: TransportOptions,
    private readonly signal: AbortSignal | undefined,
    private readonly handle: AbortHandle | undefined,
    private readonly resolve: (res: WireResponse) => void,
    private readonly reject: (err: ConsumerError) => void,
  ) {
    if (signal !== undefined) {
      if (signal.aborted) this.pendingAbort = abortedError();
      else {
        this.onSignal = () => this.abort(abortedError());
        signal.addEventListener('abort', this.onSignal, { once: true });
      }
    }
    if (handle !== undefined) {
      if (handle.aborted) this.pendingAbort = abortedError();
      else handle.onAbort = () => this.abort(abortedError());
    }
  }

  private abort(reason: Error): void {
    if (this.done) return;
    if (this.controller !== undefined) this.controller.abort(reason);
    else this.pendingAbort = reason; // still queued: aborted as soon as it is dispatched
  }

  private settle(): void {
    this.done = true;
    if (this.onSignal !== undefined) this.signal?.removeEventListener('abort', this.onSignal);
    if (this.handle !== undefined) this.handle.onAbort = undefined;
  }

  private get aborted(): boolean {
    return this.signal?.aborted === true || this.handle?.aborted === true;
  }

  fail(err: unknown): void {
    if (this.done) return;
    this.settle();
    this.reject(mapTransportError(err, this.status === 0 ? 'headers' : 'body', this.opts.target, this.aborted));
  }

  private tooLarge(controller: Dispatcher.DispatchController): void {
    const err = tooLarge(this.opts.target, this.status, this.headers, this.opts.maxResponseBytes);
    this.settle();
    this.chunks = [];
    this.reject(err);
    controller.abort(err);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort !== undefined) controller.abort(this.pendingAbort);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200 || this.done) return;
    this.status = statusCode;
    this.headers = headers as Record<string, string | string[] | undefined>;
    const declared = headers['content-length'];
    if (typeof declared === 'string' && Number(declared) > this.opts.maxResponseBytes) this.tooLarge(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.done) return;
    this.size += chunk.length;
    if (this.size > this.opts.maxResponseBytes) {
      this.tooLarge(controller);
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.done) return;
    this.settle();
    const chunks = this.chunks;
    const raw = chunks.length === 0 ? EMPTY : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.size);
    this.resolve({ status: this.status, headers: this.headers, raw });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.fail(err);
  }
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
