export { createConsumer } from './consumer.js';
export { ConsumerError } from './errors.js';
export type { ConsumerErrorDetails, ConsumerErrorPhase } from './errors.js';
export { applyMapping, select as selectJsonPath } from './response.js';
export { encodePathSegment, encodeQueryComponent, parseUrlTemplate } from './url.js';
export { parseChallenges } from './auth.js';
export { trackConnectionAbort } from './abort.js';
export type {
  AbortHandle,
  CallOptions,
  Consumer,
  ConsumerErrorCode,
  ConsumerResult,
  ConsumerTimeouts,
  CreateConsumerOptions,
  Logger,
  PreparedCall,
  StartupProblem,
} from './types.js';
