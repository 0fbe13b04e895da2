export { startEmulator } from './emulator.js';
export {
  DEFAULT_STORES,
  DEFAULT_TOKENS,
  DEV_ACCESS_TOKEN,
  DEV_CLIENT_ID,
  DEV_STORE_HASH,
  DEV_STORE_ID,
  DEV_STOREFRONT_ONLY_CLIENT_ID,
  DEV_STOREFRONT_ONLY_TOKEN,
  SCOPE_IMPERSONATION,
  SCOPE_STOREFRONT,
} from './defaults.js';
export { EmulatorError } from './errors.js';
export type { EmulatorErrorCode } from './errors.js';
export { decodeJwt, verifyToken } from './jwt.js';
export type { BigCommerceJwtClaims, DecodedJwt, JsonWebKeyInput } from './jwt.js';
export {
  CORS_LENGTH_TEXT,
  CORS_SUFFIX_KEY,
  CORS_SUFFIX_TEXT,
  GQL as GRAPHQL_MESSAGES,
  PROBLEM_TYPE,
  TITLE_401,
  TITLE_403,
  TITLE_422_JSON,
  TITLE_422_REVOKE,
} from './problems.js';
export type { BaseErrorBody } from './problems.js';
export type {
  AccessTokenConfig,
  CustomerProfile,
  Emulator,
  EmulatorConfig,
  EmulatorLogger,
  EmulatorOptions,
  FaultKind,
  FaultRule,
  RateLimitOptions,
  RecordedRequest,
  StoreConfig,
} from './types.js';
