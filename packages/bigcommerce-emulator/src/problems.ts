import { STATUS_CODES } from 'node:http';

/** `type` of every BigCommerce REST error body. */
export const PROBLEM_TYPE = 'https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes';

export const TITLE_401 =
  'Unauthorized - the v3 Auth client ID or token in the request are not a valid combination for this store.';
export const TITLE_403 = "You don't have a required scope to access the endpoint";
export const TITLE_405 = 'Method Not Allowed - the endpoint does not support this HTTP method.';
export const TITLE_413 = 'Payload Too Large - the request body exceeds the size the emulator accepts.';
export const TITLE_415 = 'Unsupported Media Type - send the body as JSON with Content-Type: application/json.';
export const TITLE_422_JSON = 'JSON data is missing or invalid';
export const TITLE_422_REVOKE = 'Invalid JWT Token provided or missing JWT token header';
export const TITLE_429 = 'Too Many Requests - the store API quota is used up; retry after X-Rate-Limit-Time-Reset-Ms.';
export const TITLE_500 = 'Internal Server Error';
export const TITLE_503 = 'Service Unavailable - the store is down for maintenance or suspended.';

/** Exact texts seen on `/storefront/api-token` (contract S8, S9). */
export const CORS_SUFFIX_KEY = 'allowed_cors_origins:has_invalid_suffix';
export const CORS_SUFFIX_TEXT =
  'A supplied origin has a trailing slash or other special character following the end of the domain. Please remove any trailing characters in supplied origins.';
export const CORS_LENGTH_TEXT = 'Allowed CORS origins list length should not be greater than 2';

/** GraphQL stand-in messages (contract §4). */
export const GQL = {
  missing: 'GraphQL credentials were missing. No token was sent.',
  notJwt: 'GraphQL invalid credentials. String is not a JWT',
  badSignature: 'GraphQL invalid credentials. JWT signature is invalid',
  noValidJson: 'GraphQL invalid credentials. JWT has no valid Json',
  unknownFormat: 'GraphQL invalid credentials. JWT has Json of an unknown format',
  expired: 'GraphQL invalid credentials. JWT is expired',
  channelMismatch: "GraphQL invalid credentials. JWT channel id doesn't match channel id of the URL",
  storeMismatch: "GraphQL invalid credentials. JWT store id doesn't match store id of the URL",
  revoked: 'Unknown JWT token',
  browser:
    'Request not allowed: Detected that request originated from a browser script and is using a customer impersonation jwt token. Customer impersonation tokens are not allowed with frontend requests.',
} as const;

export interface BaseErrorBody {
  status: number;
  title: string;
  type: string;
  errors: Record<string, string>;
}

export function baseError(status: number, title: string, errors: Record<string, string> = {}): BaseErrorBody {
  return { status, title, type: PROBLEM_TYPE, errors };
}

/** `422 The following fields are invalid: a, b` with one message per key (BigCommerce's format, S8). */
export function invalidFields(errors: Record<string, string>): BaseErrorBody {
  return baseError(422, `The following fields are invalid: ${Object.keys(errors).join(', ')}`, errors);
}

/** Title for a fault-injected status. */
export function statusTitle(status: number): string {
  if (status === 500) return TITLE_500;
  if (status === 503) return TITLE_503;
  return STATUS_CODES[status] ?? 'Error';
}
