import type { AccessTokenConfig, StoreConfig } from './types.js';

/** Store hash of the default development store. */
export const DEV_STORE_HASH = 'dev-store';
/** Numeric id of the default development store (the JWT `sid`). */
export const DEV_STORE_ID = 1000000001;
/** Access token with both storefront scopes, impersonation included. */
export const DEV_ACCESS_TOKEN = 'dev-token';
/** client_id of {@link DEV_ACCESS_TOKEN} (31 lowercase alphanumeric characters). */
export const DEV_CLIENT_ID = 'naftikotsdevclient0000000000001';
/** Access token with `store_storefront_api` only: the impersonation endpoint answers 403. */
export const DEV_STOREFRONT_ONLY_TOKEN = 'dev-token-storefront-only';
/** client_id of {@link DEV_STOREFRONT_ONLY_TOKEN}. */
export const DEV_STOREFRONT_ONLY_CLIENT_ID = 'naftikotsdevclient0000000000002';

/** Scope required by `POST /storefront/api-token-customer-impersonation`. */
export const SCOPE_IMPERSONATION = 'store_storefront_api_customer_impersonation';
/** Scope required by `POST /storefront/api-token` and `/storefront/api-token-private`. */
export const SCOPE_STOREFRONT = 'store_storefront_api';

export const DEFAULT_STORES: readonly StoreConfig[] = Object.freeze([
  Object.freeze({
    hash: DEV_STORE_HASH,
    storeId: DEV_STORE_ID,
    channels: [1],
    customers: [
      { id: 1, firstName: 'Ada', lastName: 'Lovelace', email: 'ada.lovelace@example.com' },
      { id: 2, firstName: 'Alan', lastName: 'Turing', email: 'alan.turing@example.com' },
    ],
  }),
]);

export const DEFAULT_TOKENS: readonly AccessTokenConfig[] = Object.freeze([
  Object.freeze({
    token: DEV_ACCESS_TOKEN,
    storeHash: DEV_STORE_HASH,
    clientId: DEV_CLIENT_ID,
    scopes: [SCOPE_IMPERSONATION, SCOPE_STOREFRONT],
  }),
  Object.freeze({
    token: DEV_STOREFRONT_ONLY_TOKEN,
    storeHash: DEV_STORE_HASH,
    clientId: DEV_STOREFRONT_ONLY_CLIENT_ID,
    scopes: [SCOPE_STOREFRONT],
  }),
]);
