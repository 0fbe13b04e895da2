import { createPublicKey, KeyObject, sign, verify, type JsonWebKey } from 'node:crypto';
import { EmulatorError } from './errors.js';

/** Claims of a BigCommerce storefront / customer impersonation JWT, in the order BigCommerce issues them. */
export interface BigCommerceJwtClaims {
  /** Channel ids: an array, or a bare integer in legacy tokens. */
  cid: number[] | number;
  cors: string[];
  /** Expiry (the requested `expires_at`), seconds. */
  eat: number;
  /** Issue time, seconds. */
  iat: number;
  iss: 'BC';
  /** Numeric store id. */
  sid: number;
  /** API account client_id. */
  sub: string;
  sub_type: number;
  /** 1 storefront, 2 customer impersonation, 3 private (emulator choice). */
  token_type: number;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  /** The parsed payload (not validated). */
  payload: unknown;
  /** Third segment, base64url. */
  signature: string;
}

const HEADER_SEGMENT = Buffer.from('{"typ":"JWT","alg":"ES256"}').toString('base64url');
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Signs `payload` (an object, or JSON text used verbatim) as an ES256 JWT. */
export function signJwt(payload: object | string, privateKey: KeyObject): string {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signingInput = `${HEADER_SEGMENT}.${Buffer.from(text).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Splits a JWT into its three segments when it has the JWT shape; `undefined` otherwise. */
export function splitJwt(jwt: string): [string, string, string] | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  if (!SEGMENT.test(h) || !SEGMENT.test(p) || !SEGMENT.test(s)) return undefined;
  return [h, p, s];
}

/** Parses a JWT header segment; `undefined` when it is not a JSON object with a string `alg`. */
export function parseHeader(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const header = value as Record<string, unknown>;
    return typeof header.alg === 'string' ? header : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decodes a JWT without verifying it. Throws `EmulatorError` (`EMULATOR_JWT`) when the text is not a
 * JWT or a segment is not JSON. The error message never includes the token.
 */
export function decodeJwt(jwt: string): DecodedJwt {
  const parts = splitJwt(jwt);
  const header = parts && parseHeader(parts[0]);
  if (!parts || !header) throw new EmulatorError('EMULATOR_JWT', 'The value is not a JWT (three base64url segments with a JSON header).');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch (cause) {
    throw new EmulatorError('EMULATOR_JWT', 'The JWT payload is not JSON.', { cause });
  }
  return { header, payload, signature: parts[2] };
}

/**
 * True when `jwt` is an ES256 JWT whose signature verifies with `publicKey` (a KeyObject, PEM or JWK).
 * Only the signature is checked (not `eat`); `alg` other than ES256 is rejected.
 */
export function verifyToken(jwt: string, publicKey: KeyObject | string | JsonWebKeyInput): boolean {
  const parts = splitJwt(jwt);
  if (!parts) return false;
  const header = parseHeader(parts[0]);
  if (!header || header.alg !== 'ES256') return false;
  const signature = Buffer.from(parts[2], 'base64url');
  if (signature.length !== 64) return false;
  try {
    const key = publicKey instanceof KeyObject ? publicKey : createPublicKey(publicKey);
    return verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** A public key given as a JWK (`{ key: jwk, format: 'jwk' }`). */
export interface JsonWebKeyInput {
  key: JsonWebKey;
  format: 'jwk';
}
