/**
 * `createRestApp`: a fastify app serving the REST adapter(s), with safe defaults (JSON bodies only,
 * 1 MiB limit, redacted logs, one log line per request). Not listening: the caller calls `listen`.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Capability, RestAdapter } from '@naftiko-ts/spec';
import type { Consumer } from '@naftiko-ts/consumer';
import { RestAdapterError } from './errors.js';
import { isLogging, prepareRestAdapter, restAdapterPlugin, sendProblem, type RestAdapterPluginOptions } from './plugin.js';
import { redactingLoggerOptions, SecretSet, type PinoLoggerOptions } from './redact.js';
import type { RestAdapterEntry } from './routes.js';
import { lazyBuildValidator } from './validators.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

interface CommonAppOptions extends Omit<RestAdapterPluginOptions, 'adapters' | 'prepared'> {
  /**
   * `false`/absent: no logging. `true` or pino options: a pino logger with credential headers and
   * every secret value redacted. A logger instance is used as is (configure its redaction yourself,
   * e.g. with `redactingLoggerOptions`).
   */
  logger?: FastifyBaseLogger | boolean | PinoLoggerOptions;
  /** Maximum request body in bytes (413 above). Default 1 MiB. */
  bodyLimit?: number;
  /** More secret values to redact from logs (the consumers' and exposed auth secrets are added). */
  secrets?: readonly string[];
  /**
   * Receives every secret value the adapter knows (exposed-side auth values, the consumers'
   * `secretValues()`), once, before the app is built: for a host that redacts its own logger.
   */
  onSecrets?: (values: readonly string[]) => void;
  /** Extra fastify server options (the adapter's own settings win). */
  fastify?: Omit<FastifyServerOptions, 'logger' | 'loggerInstance' | 'bodyLimit'>;
}

export interface CreateRestAppAdaptersOptions extends CommonAppOptions {
  adapters: ReadonlyArray<{ capability: Capability; adapter: RestAdapter; consumer: Consumer }>;
}

/** The single form: the first REST adapter of `capability`. */
export interface CreateRestAppSingleOptions extends CommonAppOptions {
  capability: Capability;
  consumer: Consumer;
  adapters?: undefined;
}

export type CreateRestAppOptions = CreateRestAppAdaptersOptions | CreateRestAppSingleOptions;

function isLoggerInstance(v: unknown): v is FastifyBaseLogger {
  return typeof v === 'object' && v !== null && typeof (v as { child?: unknown }).child === 'function' && typeof (v as { info?: unknown }).info === 'function';
}

function entriesOf(options: CreateRestAppOptions): RestAdapterEntry[] {
  if (options.adapters !== undefined) return [...options.adapters];
  const { capability, consumer } = options as CreateRestAppSingleOptions;
  if (capability === undefined || consumer === undefined) {
    throw new RestAdapterError('REST_INVALID_OPTIONS', 'createRestApp needs `{ adapters: [...] }` or `{ capability, consumer }`.');
  }
  const adapter = capability.exposes.find((e): e is RestAdapter => e.type === 'rest');
  if (adapter === undefined) {
    throw new RestAdapterError('REST_NO_ADAPTER', `${capability.source} exposes no REST adapter (\`exposes: - type: rest\`).`);
  }
  return [{ capability, adapter, consumer }];
}

/** Builds the fastify app (not listening). Throws `RestAdapterError` for conflicts, reserved paths, missing secrets. */
export async function createRestApp(options: CreateRestAppOptions): Promise<FastifyInstance> {
  const adapters = entriesOf(options);
  const prepared = prepareRestAdapter({ adapters, exposedSecrets: options.exposedSecrets, env: options.env });
  const secrets = new SecretSet([...(options.secrets ?? []), ...prepared.secrets]);
  options.onSecrets?.(prepared.secrets);

  const serverOptions: FastifyServerOptions = {
    ...options.fastify,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Router-level failures (bad percent-encoding, over-long path segment) are problem+json too.
    frameworkErrors:
      options.fastify?.frameworkErrors ??
      ((error, _request, reply) => {
        if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') sendProblem(reply, 'uri-too-long', 'A path segment is longer than the router accepts.');
        else sendProblem(reply, 'bad-request', 'The request URL is not valid (malformed percent-encoding?).', { status: error.statusCode ?? 400 });
      }),
    // One line per request is logged by the plugin (with the upstream status), not fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 500, ...options.fastify?.routerOptions },
    // Route schemas are small: skip ajv's code optimisation passes (a third of start-up time for
    // hundreds of routes, no measurable cost per request).
    ajv: (options.fastify?.ajv ?? { customOptions: { code: { optimize: false } } }) as FastifyServerOptions['ajv'],
  };
  if (options.fastify?.schemaController === undefined) {
    const buildValidator = lazyBuildValidator();
    if (buildValidator !== undefined) serverOptions.schemaController = { compilersFactory: { buildValidator: buildValidator as never } };
  }
  const logger = options.logger;
  // A logger instance at level `silent` logs nothing: served like no logger, so that no child
  // logger (nor a random request id) is made per request.
  const logging = isLoggerInstance(logger) ? isLogging(logger) : logger === true || (typeof logger === 'object' && logger !== null);
  const genReqId = options.fastify?.genReqId ?? (logging ? () => randomUUID() : undefined);
  if (genReqId !== undefined) serverOptions.genReqId = genReqId;
  let app: FastifyInstance;
  if (!logging) {
    app = Fastify({ ...serverOptions, logger: false }) as unknown as FastifyInstance;
  } else if (isLoggerInstance(logger)) {
    app = Fastify({ ...serverOptions, loggerInstance: logger }) as unknown as FastifyInstance;
  } else if (logger === true || (typeof logger === 'object' && logger !== null)) {
    const base = logger === true ? {} : (logger as PinoLoggerOptions);
    app = Fastify({ ...serverOptions, logger: redactingLoggerOptions(secrets, base, prepared.credentialHeaders) }) as unknown as FastifyInstance;
  } else {
    app = Fastify({ ...serverOptions, logger: false }) as unknown as FastifyInstance;
  }

  // JSON with an empty body is "no body" (an optional body input may be left out).
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || body === undefined) done(null, undefined);
    else json(request, body as string, done);
  });

  const pluginOptions: RestAdapterPluginOptions = {
    adapters,
    prepared,
    ...(options.isReady === undefined ? {} : { isReady: options.isReady }),
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    ...(options.logRequests === undefined ? {} : { logRequests: options.logRequests }),
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
  };
  await app.register(restAdapterPlugin, pluginOptions);
  return app;
}
