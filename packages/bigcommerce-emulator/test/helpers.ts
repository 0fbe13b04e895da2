import { request } from 'undici';
import { DEV_ACCESS_TOKEN, DEV_STORE_HASH, startEmulator, type Emulator, type EmulatorOptions } from '../src/index.js';

export const IMPERSONATION_PATH = `/stores/${DEV_STORE_HASH}/v3/storefront/api-token-customer-impersonation`;
export const STOREFRONT_PATH = `/stores/${DEV_STORE_HASH}/v3/storefront/api-token`;
export const PRIVATE_PATH = `/stores/${DEV_STORE_HASH}/v3/storefront/api-token-private`;
export const FAR_FUTURE = 2147483647;

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';
  headers?: Record<string, string>;
  /** An object is JSON-encoded; a string is sent as-is. */
  body?: unknown;
}

export async function call(emu: Emulator, path: string, options: CallOptions = {}): Promise<Reply> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const res = await request(`${emu.url}${path}`, { method: options.method ?? 'POST', headers: options.headers, body });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** A well-formed impersonation request with the dev token; `body`/`headers` override parts. */
export function mint(
  emu: Emulator,
  body: unknown = { channel_ids: [1], expires_at: FAR_FUTURE },
  headers: Record<string, string> = {},
  path = IMPERSONATION_PATH,
): Promise<Reply> {
  return call(emu, path, {
    body,
    headers: { 'x-auth-token': DEV_ACCESS_TOKEN, 'content-type': 'application/json', accept: 'application/json', ...headers },
  });
}

/** A controllable clock (ms). */
export function fakeClock(start = Date.UTC(2026, 0, 15, 12, 0, 0)): { now: () => number; advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}

export async function withEmulator<T>(options: EmulatorOptions, fn: (emu: Emulator) => Promise<T>): Promise<T> {
  const emu = await startEmulator(options);
  try {
    return await fn(emu);
  } finally {
    await emu.close();
  }
}

export const PROBLEM_TYPE_URL = 'https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes';

export function expectRateLimitHeaders(reply: Reply): void {
  for (const h of ['x-rate-limit-time-window-ms', 'x-rate-limit-time-reset-ms', 'x-rate-limit-requests-quota', 'x-rate-limit-requests-left']) {
    const v = reply.headers[h];
    if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new Error(`header ${h} missing or not an integer: ${String(v)}`);
  }
  const id = reply.headers['x-request-id'];
  if (typeof id !== 'string' || !/^[0-9a-f]{32}$/.test(id)) throw new Error(`x-request-id missing or not 32 hex: ${String(id)}`);
}
