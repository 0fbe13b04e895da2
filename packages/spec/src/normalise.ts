import { didYouMean } from './diagnostics.js';
import { Reporter, isObj } from './context.js';
import type { Obj } from './context.js';
import type {
  Authentication,
  Bind,
  Capability,
  ConsumedApi,
  ConsumedOperation,
  ConsumedOutputParameter,
  ConsumedParameter,
  ExecutionMode,
  ExposedAdapter,
  ExposedInput,
  Expr,
  HttpMethod,
  JsonSchema,
  JsonType,
  McpAdapter,
  McpPromptDecl,
  McpResourceDecl,
  McpTool,
  McpToolAnnotations,
  OutputMapping,
  OutputShape,
  ParameterLocation,
  RequestBodyTemplate,
  ResolvedCall,
  RestAdapter,
  RestRoute,
  UrlTemplate,
} from './model.js';
import { setOwn } from './fast-yaml.js';
import { childPointer, SourceMap } from './source.js';
import { expressionRefs, formatUrlTemplate, parseExpression, parseUrlTemplate } from './templates.js';
import type { ExpressionContext } from './templates.js';

export interface NormaliseOptions {
  source: string;
  strict: boolean;
  readFile?: (location: string, fromSource: string) => string;
}

const JSON_TYPES: readonly JsonType[] = ['string', 'number', 'integer', 'boolean', 'array', 'object'];
const METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const PARAM_LOCATIONS: readonly ParameterLocation[] = ['query', 'header', 'path', 'cookie', 'body', 'environment'];
export const SUPPORTED_VERSIONS = ['1.0.0-alpha1', '1.0.0-alpha2', '1.0.0-alpha3'] as const;
export const ADAPTER_TYPES = ['rest', 'mcp', 'skill', 'control'] as const;
export const AUTH_TYPES = ['apikey', 'bearer', 'basic', 'digest', 'oauth2'] as const;
const KEBAB = /^[a-zA-Z0-9-]+$/;
const EXTENDED = /^[a-zA-Z0-9-_*]+$/;
const BASE_URI_STRICT = /^https?:\/\/[^/]+(\/[^{]*)?$/;
export const MAX_TOOL_NAME = 64;

const K = {
  root: ['naftiko', 'info', 'consumes', 'binds', 'capability'],
  info: ['label', 'description', 'tags', 'created', 'modified', 'stakeholders'],
  bind: ['namespace', 'description', 'location', 'keys'],
  capability: ['binds', 'exposes', 'consumes', 'aggregates'],
  consumesHttp: ['namespace', 'type', 'description', 'baseUri', 'inputParameters', 'authentication', 'resources'],
  consumesImport: ['location', 'import', 'as', 'description'],
  consumedResource: ['name', 'label', 'description', 'path', 'inputParameters', 'operations'],
  consumedOperation: ['name', 'label', 'description', 'method', 'inputParameters', 'outputRawFormat', 'outputSchema', 'outputParameters', 'body'],
  consumedParam: ['name', 'in', 'value'],
  consumedOutput: ['name', 'type', 'value'],
  rest: ['type', 'address', 'port', 'namespace', 'authentication', 'resources'],
  mcp: ['type', 'transport', 'address', 'port', 'namespace', 'description', 'authentication', 'tools', 'resources', 'prompts'],
  exposedResource: ['label', 'description', 'path', 'name', 'inputParameters', 'operations', 'forward'],
  exposedOperation: ['name', 'label', 'description', 'method', 'inputParameters', 'ref', 'call', 'with', 'outputParameters', 'steps', 'mappings'],
  exposedParam: ['name', 'in', 'type', 'description', 'pattern', 'value'],
  tool: ['name', 'label', 'description', 'inputParameters', 'ref', 'call', 'with', 'steps', 'mappings', 'hints', 'outputParameters'],
  hints: ['readOnly', 'destructive', 'idempotent', 'openWorld'],
  toolParam: ['name', 'type', 'description', 'required'],
  mcpResource: ['name', 'label', 'uri', 'description', 'mimeType', 'call', 'with', 'steps', 'mappings', 'outputParameters', 'location'],
  mcpPrompt: ['name', 'label', 'description', 'arguments', 'template', 'location'],
  promptArg: ['name', 'label', 'description', 'required'],
  promptMessage: ['role', 'content'],
  output: ['name', 'type', 'mapping', 'const', 'value', 'properties', 'items', 'description'],
  auth: {
    apikey: ['type', 'key', 'value', 'placement'],
    bearer: ['type', 'token'],
    basic: ['type', 'username', 'password'],
    digest: ['type', 'username', 'password'],
    oauth2: ['type', 'authorizationServerUri', 'resource', 'scopes', 'audience', 'tokenEndpoint', 'tokenValidation', 'clientId', 'clientSecret'],
  },
} as const;

interface AggregateFunction {
  id: string;
  raw: Obj;
  pointer: string;
}

/** Build the model from the converted YAML value. */
export class Normaliser {
  private readonly r: Reporter;
  private readonly binds: Bind[] = [];
  private readonly consumes: ConsumedApi[] = [];
  private readonly operations = new Map<string, ConsumedOperation>();
  private readonly aggregates = new Map<string, AggregateFunction>();
  private exposeNamespaces: string[] = [];
  private readonly namespaces = new Map<string, string>();
  /** Namespaces whose imported consumes could not be loaded (calls into them are not re-reported). */
  private readonly failedImports = new Set<string>();

  constructor(
    private readonly map: SourceMap,
    private readonly options: NormaliseOptions,
    private readonly diagnostics: import('./diagnostics.js').Diagnostic[],
  ) {
    this.r = new Reporter(map, options.source, options.strict, diagnostics);
  }

  private get ctx(): ExpressionContext {
    return { binds: this.binds, exposeNamespaces: this.exposeNamespaces };
  }

  run(doc: Obj): Capability {
    const r = this.r;
    r.keys(doc, '#', 'a capability document', K.root);
    let version = '';
    const v = doc['naftiko'];
    if (v === undefined || v === null) {
      r.report('missing-key', 'error', 'The document needs `naftiko` (the specification version). Add `naftiko: 1.0.0-alpha2` as the first line.', '#');
    } else {
      version = String(v);
      if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
        r.report(
          'unsupported-version',
          'warning',
          `\`naftiko: ${version}\` is not a supported version; expected one of ${SUPPORTED_VERSIONS.map((s) => `\`${s}\``).join(', ')}. The file is read as \`1.0.0-alpha2\`.`,
          '#/naftiko',
        );
      }
    }
    const info = this.info(doc['info']);
    const capRaw = r.object(doc['capability'], '#/capability', '`capability`');
    if (capRaw === undefined && doc['consumes'] === undefined) {
      r.report('missing-key', 'error', 'The document needs `capability` (or, for a shared consumer file, a root `consumes`).', '#', false);
    }
    if (capRaw) r.keys(capRaw, '#/capability', '`capability`', K.capability);

    // Binds first: templates resolve against them.
    this.readBinds(doc['binds'], '#/binds');
    if (capRaw) this.readBinds(capRaw['binds'], '#/capability/binds');

    // Expose namespaces are needed to parse `<ns>.x` expressions.
    const exposesRaw = capRaw ? r.array(capRaw['exposes'], '#/capability/exposes', 'exposes') : [];
    this.exposeNamespaces = exposesRaw.flatMap((e) => (isObj(e) && typeof e['namespace'] === 'string' ? [e['namespace']] : []));

    this.readConsumes(doc['consumes'], '#/consumes');
    if (capRaw) this.readConsumes(capRaw['consumes'], '#/capability/consumes');
    if (capRaw) this.readAggregates(capRaw['aggregates'], '#/capability/aggregates');

    const exposes: ExposedAdapter[] = [];
    exposesRaw.forEach((e, i) => {
      const a = this.exposed(e, `#/capability/exposes/${i}`);
      if (a) exposes.push(a);
    });
    this.checkPorts(exposes);
    this.r.flush();

    const baseUriVariables: Record<string, string[]> = {};
    for (const c of this.consumes) baseUriVariables[c.namespace] = [...c.baseUri.variables];
    return {
      source: this.options.source,
      version,
      info,
      binds: this.binds,
      consumes: this.consumes,
      exposes,
      operations: this.operations,
      baseUriVariables,
      document: doc,
    };
  }

  // ---- info & binds ---------------------------------------------------------------------

  private info(raw: unknown): Capability['info'] {
    const o = this.r.object(raw, '#/info', '`info`');
    if (!o) return { tags: [] };
    this.r.keys(o, '#/info', '`info`', K.info);
    const tags = this.r.array(o['tags'], '#/info/tags', 'tags').filter((t): t is string => typeof t === 'string');
    const out: Capability['info'] = { tags };
    const label = this.r.string(o, 'label', '#/info');
    const description = this.r.string(o, 'description', '#/info');
    const created = this.r.string(o, 'created', '#/info');
    const modified = this.r.string(o, 'modified', '#/info');
    if (label !== undefined) out.label = label;
    if (description !== undefined) out.description = description;
    if (created !== undefined) out.created = created;
    if (modified !== undefined) out.modified = modified;
    return out;
  }

  private claimNamespace(ns: string, pointer: string, kind: string): void {
    const prev = this.namespaces.get(ns);
    if (prev !== undefined) {
      this.r.report(
        'duplicate-namespace',
        'error',
        `Namespace \`${ns}\` is already used by ${prev}. Consumes, exposes and binds share one namespace space: rename this ${kind}.`,
        `${pointer}/namespace`,
      );
      return;
    }
    this.namespaces.set(ns, `${kind} at ${pointer}`);
  }

  private readBinds(raw: unknown, pointer: string): void {
    this.r.array(raw, pointer, 'binds').forEach((b, i) => {
      const p = `${pointer}/${i}`;
      const o = this.r.object(b, p, 'A bind');
      if (!o) return;
      this.r.keys(o, p, 'a bind', K.bind);
      const namespace = this.r.string(o, 'namespace', p, { required: true, what: 'A bind' }) ?? '';
      if (namespace) this.claimNamespace(namespace, p, 'bind');
      const keys: Record<string, string> = {};
      const k = this.r.object(o['keys'], `${p}/keys`, '`keys`');
      if (!k && o['keys'] === undefined) this.r.report('missing-key', 'error', 'A bind needs `keys` (`VARIABLE: SOURCE_KEY`).', p, true);
      if (k) {
        for (const [name, value] of Object.entries(k)) {
          if (typeof value === 'string' || typeof value === 'number') setOwn(keys, name, String(value));
          else this.r.report('invalid-type', 'error', `Bind key \`${name}\` must map to a string (the environment variable or file key to read).`, childPointer(`${p}/keys`, name));
        }
      }
      const bind: Bind = { namespace, keys, pointer: p };
      const location = this.r.string(o, 'location', p);
      if (location !== undefined) bind.location = location;
      this.binds.push(bind);
    });
  }

  /** Parse an expression and report references that cannot be resolved. */
  private exprAt(value: unknown, pointer: string): Expr {
    const e = parseExpression(value, this.ctx);
    for (const ref of expressionRefs(e)) {
      if (ref.kind === 'bind') {
        const bind = this.binds.find((b) => b.namespace === ref.namespace);
        if (bind && !Object.hasOwn(bind.keys, ref.variable)) {
          this.r.report(
            'unresolved-reference',
            'warning',
            `\`{{${ref.namespace}.${ref.variable}}}\` names no key of bind \`${ref.namespace}\`; it will be read from the environment variable \`${ref.variable}\`. Add \`${ref.variable}: ${ref.variable}\` under its \`keys\`.${didYouMean(ref.variable, Object.keys(bind.keys))}`,
            pointer,
          );
        }
      } else if (ref.kind === 'unknown') {
        this.r.report(
          'unresolved-reference',
          'warning',
          `\`{{${ref.path}}}\` refers to nothing known: expected a bind variable (\`{{VAR}}\`, \`{{bind-namespace.VAR}}\`) or an input.${didYouMean(ref.path.split('.')[0] ?? '', this.binds.map((b) => b.namespace))}`,
          pointer,
        );
      }
    }
    return e;
  }

  // ---- consumes ----------------------------------------------------------------------------

  private readConsumes(raw: unknown, pointer: string): void {
    this.r.array(raw, pointer, 'consumes').forEach((c, i) => {
      const p = `${pointer}/${i}`;
      const o = this.r.object(c, p, 'A consumes entry');
      if (!o) return;
      if (o['location'] !== undefined && o['type'] === undefined) {
        this.importConsumes(o, p);
        return;
      }
      const api = this.consumesHttp(o, p, this.r);
      if (api) this.addConsumed(api, p);
    });
  }

  private addConsumed(api: ConsumedApi, pointer: string): void {
    if (api.namespace) this.claimNamespace(api.namespace, pointer, 'consumes block');
    this.consumes.push(api);
    for (const op of api.operations) {
      if (!this.operations.has(op.id)) this.operations.set(op.id, op);
    }
  }

  private importConsumes(o: Obj, p: string): void {
    const r = this.r;
    r.keys(o, p, 'an imported consumes entry', K.consumesImport);
    const location = r.string(o, 'location', p, { required: true, what: 'An imported consumes entry' });
    const imported = r.string(o, 'import', p, { required: true, what: 'An imported consumes entry' });
    const as = r.string(o, 'as', p);
    if (location === undefined || imported === undefined) return;
    this.failedImports.add(as ?? imported);
    const reader = this.options.readFile;
    let text: string;
    try {
      if (!reader) throw new Error('no file reader was given to parseCapability');
      text = reader(location, this.options.source);
      if (typeof text !== 'string') throw new Error('the file reader returned no text');
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      r.report('import-unreadable', 'error', `Cannot read \`${location}\` (imported consumes \`${imported}\`): ${why}. Check the path; it is relative to this capability file.`, `${p}/location`);
      return;
    }
    const sub = new SourceMap(text);
    const subReporter = new Reporter(sub, resolveLocation(location, this.options.source), this.options.strict, this.diagnostics);
    if (sub.issues.some((i) => i.kind === 'error') || !isObj(sub.value)) {
      r.report('import-unreadable', 'error', `\`${location}\` is not a readable Naftiko consumes file (YAML error or not a mapping).`, `${p}/location`);
      return;
    }
    const doc = sub.value;
    const candidates: Array<{ raw: unknown; pointer: string }> = [];
    const collect = (list: unknown, ptr: string): void => {
      if (Array.isArray(list)) list.forEach((x, i) => candidates.push({ raw: x, pointer: `${ptr}/${i}` }));
    };
    collect(doc['consumes'], '#/consumes');
    if (isObj(doc['capability'])) collect(doc['capability']['consumes'], '#/capability/consumes');
    const found = candidates.find((c) => isObj(c.raw) && c.raw['namespace'] === imported);
    if (!found || !isObj(found.raw)) {
      const names = candidates.flatMap((c) => (isObj(c.raw) && typeof c.raw['namespace'] === 'string' ? [c.raw['namespace']] : []));
      r.report('import-target-missing', 'error', `\`${location}\` declares no consumes namespace \`${imported}\`.${didYouMean(imported, names)}`, `${p}/import`);
      return;
    }
    const api = this.consumesHttp(found.raw, found.pointer, subReporter, as ?? imported);
    subReporter.flush();
    if (!api) return;
    this.failedImports.delete(as ?? imported);
    api.importedFrom = { location, import: imported };
    api.pointer = p;
    this.addConsumed(api, p);
  }

  private consumesHttp(o: Obj, p: string, r: Reporter, rename?: string): ConsumedApi | undefined {
    r.keys(o, p, 'a consumes block', K.consumesHttp);
    const type = r.string(o, 'type', p, { required: true, what: 'A consumes block' });
    if (type !== undefined && type !== 'http') {
      r.report('invalid-value', 'error', `Consumes \`type: ${type}\` is not supported; expected \`http\`.`, `${p}/type`);
    }
    const declared = r.string(o, 'namespace', p, { required: true, what: 'A consumes block' }) ?? '';
    const namespace = rename ?? declared;
    if (declared && !KEBAB.test(declared)) {
      r.report('non-kebab-name', 'warning', `Namespace \`${declared}\` should contain only letters, digits and \`-\`.`, `${p}/namespace`);
    }
    let baseRaw = r.string(o, 'baseUri', p, { required: true, what: 'A consumes block' }) ?? '';
    if (baseRaw && !BASE_URI_STRICT.test(baseRaw)) {
      if (/^https?:\/\/[^/]+\/.*\{/.test(baseRaw)) {
        r.report('base-uri-placeholder', 'warning', `\`baseUri\` has a placeholder in its path (\`${baseRaw}\`); the alpha2 schema allows none. It is resolved at start-up (\`--var\` or the upper-cased environment variable).`, `${p}/baseUri`);
      } else {
        r.report('invalid-value', 'error', `\`baseUri\` must be an absolute \`http://\` or \`https://\` URL, found \`${baseRaw}\`.`, `${p}/baseUri`);
      }
    }
    if (baseRaw.length > 1 && baseRaw.endsWith('/')) {
      r.report('base-uri-trailing-slash', 'warning', `\`baseUri\` ends with \`/\`; it is joined to resource paths with exactly one \`/\`. Remove the trailing \`/\`.`, `${p}/baseUri`);
      baseRaw = baseRaw.replace(/\/+$/, '');
    }
    const baseUri = parseUrlTemplate(baseRaw);
    const common = this.consumedParams(o['inputParameters'], `${p}/inputParameters`, r);
    const api: ConsumedApi = { type: 'http', namespace, baseUri, operations: [], pointer: p };
    const description = r.string(o, 'description', p);
    if (description !== undefined) api.description = description;
    if (o['authentication'] !== undefined) {
      const auth = this.authentication(o['authentication'], `${p}/authentication`, r);
      if (auth) api.authentication = auth;
    }
    r.array(o['resources'], `${p}/resources`, 'resources').forEach((res, i) => {
      const rp = `${p}/resources/${i}`;
      const ro = r.object(res, rp, 'A consumed resource');
      if (!ro) return;
      r.keys(ro, rp, 'a consumed resource', K.consumedResource);
      const resourceName = r.string(ro, 'name', rp, { required: true, what: 'A consumed resource' }) ?? '';
      if (resourceName && !KEBAB.test(resourceName)) {
        r.report('non-kebab-name', 'warning', `Resource name \`${resourceName}\` is not kebab-case (letters, digits and \`-\` only).`, `${rp}/name`);
      }
      const path = this.normalisePath(r.string(ro, 'path', rp, { required: true, what: 'A consumed resource' }) ?? '/', `${rp}/path`, r);
      const resParams = this.consumedParams(ro['inputParameters'], `${rp}/inputParameters`, r);
      const opsRaw = r.array(ro['operations'], `${rp}/operations`, 'operations');
      if (ro['operations'] === undefined) r.report('missing-key', 'error', 'A consumed resource needs `operations`.', rp, true);
      opsRaw.forEach((op, j) => {
        const opp = `${rp}/operations/${j}`;
        const oo = r.object(op, opp, 'A consumed operation');
        if (!oo) return;
        r.keys(oo, opp, 'a consumed operation', K.consumedOperation);
        const name = r.string(oo, 'name', opp, { required: true, what: 'A consumed operation' }) ?? '';
        if (name && !KEBAB.test(name)) {
          r.report('non-kebab-name', 'warning', `Operation name \`${name}\` is not kebab-case (letters, digits and \`-\` only).`, `${opp}/name`);
        }
        const method = this.method(oo, opp, r);
        const params = this.merge([common, resParams, this.consumedParams(oo['inputParameters'], `${opp}/inputParameters`, r)]);
        const outputs = this.consumedOutputs(oo['outputParameters'], `${opp}/outputParameters`, r);
        const operation: ConsumedOperation = {
          id: `${namespace}.${name}`,
          namespace,
          name,
          method,
          resourceName,
          path,
          parameters: params,
          outputRawFormat: r.string(oo, 'outputRawFormat', opp) ?? 'json',
          outputParameters: outputs,
          pointer: opp,
        };
        const d = r.string(oo, 'description', opp);
        if (d !== undefined) operation.description = d;
        if (oo['body'] !== undefined) {
          const body = this.body(oo['body'], `${opp}/body`, r);
          if (body) operation.body = body;
        }
        if (api.operations.some((x) => x.name === name)) {
          r.report('invalid-value', 'error', `Operation \`${name}\` is declared twice in consumes \`${namespace}\`; \`call: ${namespace}.${name}\` would be ambiguous. Rename one.`, `${opp}/name`);
        }
        api.operations.push(operation);
      });
    });
    return api;
  }

  private normalisePath(raw: string, pointer: string, r: Reporter): UrlTemplate {
    let path = raw;
    if (!path.startsWith('/')) {
      r.report('path-without-leading-slash', 'warning', `Path \`${raw}\` does not start with \`/\`; it is read as \`/${raw}\`.`, pointer);
      path = '/' + path;
    }
    path = path.replace(/^\/+/, '/');
    return parseUrlTemplate(path);
  }

  private method(o: Obj, p: string, r: Reporter): HttpMethod {
    const raw = r.string(o, 'method', p);
    if (raw === undefined) return 'GET';
    const m = raw.toUpperCase();
    if ((METHODS as readonly string[]).includes(m)) {
      if (m !== raw) r.report('invalid-value', 'warning', `\`method: ${raw}\` should be upper-case: \`${m}\`.`, `${p}/method`);
      return m as HttpMethod;
    }
    r.report('invalid-value', 'error', `\`method: ${raw}\` is not an HTTP method; expected one of GET, POST, PUT, PATCH, DELETE.${didYouMean(m, METHODS)}`, `${p}/method`);
    return 'GET';
  }

  private merge(lists: ConsumedParameter[][]): ConsumedParameter[] {
    const out: ConsumedParameter[] = [];
    for (const list of lists) {
      for (const p of list) {
        const i = out.findIndex((x) => x.name === p.name && x.in === p.in);
        if (i >= 0) out[i] = p;
        else out.push(p);
      }
    }
    return out;
  }

  private consumedParams(raw: unknown, pointer: string, r: Reporter): ConsumedParameter[] {
    const out: ConsumedParameter[] = [];
    r.array(raw, pointer, 'inputParameters').forEach((x, i) => {
      const p = `${pointer}/${i}`;
      const o = r.object(x, p, 'A consumed input parameter');
      if (!o) return;
      const extra: [import('./diagnostics.js').DiagnosticCode, string] = [
        'consumed-parameter-extra-key',
        ' (a consumed parameter has only `name`, `in` and `value`); naftiko-ts reads them to type the inferred inputs.',
      ];
      r.keys(o, p, 'a consumed input parameter', K.consumedParam, { type: extra, description: extra, required: extra });
      const name = r.string(o, 'name', p, { required: true, what: 'A consumed input parameter' });
      if (name === undefined) return;
      this.checkParamName(name, `${p}/name`, r);
      const loc = r.string(o, 'in', p, { required: true, what: `Consumed parameter \`${name}\`` });
      let where: ParameterLocation = 'query';
      if (loc !== undefined) {
        if ((PARAM_LOCATIONS as readonly string[]).includes(loc)) where = loc as ParameterLocation;
        else r.report('invalid-value', 'error', `\`in: ${loc}\` is not a parameter location; expected one of ${PARAM_LOCATIONS.join(', ')}.${didYouMean(loc, PARAM_LOCATIONS)}`, `${p}/in`);
      }
      const param: ConsumedParameter = { name, in: where, required: r.boolean(o, 'required', p) ?? false, pointer: p };
      const type = this.jsonType(o, p, r, false);
      if (type) param.type = type;
      const d = r.string(o, 'description', p);
      if (d !== undefined) param.description = d;
      if (o['value'] !== undefined && o['value'] !== null) param.value = this.exprAt(o['value'], `${p}/value`);
      out.push(param);
    });
    return out;
  }

  private checkParamName(name: string, pointer: string, r: Reporter): void {
    if (EXTENDED.test(name)) return;
    if (name.includes(':')) {
      r.report('name-with-colon', 'warning', `Parameter name \`${name}\` contains \`:\`; the alpha2 schema allows only letters, digits, \`-\`, \`_\` and \`*\`. It is sent as written.`, pointer);
    } else {
      r.report('non-kebab-name', 'warning', `Parameter name \`${name}\` has characters the alpha2 schema does not allow (letters, digits, \`-\`, \`_\`, \`*\`).`, pointer);
    }
  }

  private jsonType(o: Obj, p: string, r: Reporter, required: boolean, what = 'This entry'): JsonType | undefined {
    const t = r.string(o, 'type', p, { required, what });
    if (t === undefined) return undefined;
    if ((JSON_TYPES as readonly string[]).includes(t)) return t as JsonType;
    r.report('invalid-value', 'error', `\`type: ${t}\` is not a JSON type; expected one of ${JSON_TYPES.join(', ')}.${didYouMean(t, JSON_TYPES)}`, `${p}/type`);
    return undefined;
  }

  private consumedOutputs(raw: unknown, pointer: string, r: Reporter): ConsumedOutputParameter[] {
    const out: ConsumedOutputParameter[] = [];
    r.array(raw, pointer, 'outputParameters').forEach((x, i) => {
      const p = `${pointer}/${i}`;
      const o = r.object(x, p, 'A consumed output parameter');
      if (!o) return;
      r.keys(o, p, 'a consumed output parameter', K.consumedOutput);
      const name = r.string(o, 'name', p, { required: true, what: 'A consumed output parameter' }) ?? '';
      const type = this.jsonType(o, p, r, true, 'A consumed output parameter') ?? 'object';
      const param: ConsumedOutputParameter = { name, type, pointer: p };
      const value = r.string(o, 'value', p, { required: true, what: 'A consumed output parameter' });
      if (value !== undefined) param.value = value;
      out.push(param);
    });
    return out;
  }

  private body(raw: unknown, p: string, r: Reporter): RequestBodyTemplate | undefined {
    if (typeof raw === 'string') return { type: 'raw', data: raw, pointer: p };
    const o = r.object(raw, p, '`body`');
    if (!o) return undefined;
    const type = r.string(o, 'type', p, { required: true, what: '`body`' });
    const data = o['data'];
    switch (type) {
      case 'json':
        return { type: 'json', data, pointer: p };
      case 'text':
      case 'xml':
      case 'sparql':
        return { type: 'text', data: typeof data === 'string' ? data : String(data ?? ''), pointer: p };
      case 'formUrlEncoded':
        return { type: 'formUrlEncoded', data: isObj(data) || typeof data === 'string' ? data : {}, pointer: p };
      case 'multipartForm': {
        const parts = r.array(data, `${p}/data`, 'data').flatMap((x) => {
          if (!isObj(x) || typeof x['name'] !== 'string') return [];
          const part: { name: string; value: unknown; filename?: string; contentType?: string } = { name: x['name'], value: x['value'] };
          if (typeof x['filename'] === 'string') part.filename = x['filename'];
          if (typeof x['contentType'] === 'string') part.contentType = x['contentType'];
          return [part];
        });
        return { type: 'multipartForm', data: parts, pointer: p };
      }
      case undefined:
        return undefined;
      default:
        r.report('invalid-value', 'error', `Body \`type: ${type}\` is unknown; expected json, text, xml, sparql, formUrlEncoded or multipartForm.${didYouMean(type, ['json', 'text', 'xml', 'sparql', 'formUrlEncoded', 'multipartForm'])}`, `${p}/type`);
        return undefined;
    }
  }

  private authentication(raw: unknown, p: string, r: Reporter): Authentication | undefined {
    const o = r.object(raw, p, '`authentication`');
    if (!o) return undefined;
    const type = r.string(o, 'type', p, { required: true, what: '`authentication`' });
    if (type === undefined) return undefined;
    if (!(AUTH_TYPES as readonly string[]).includes(type)) {
      r.report('unknown-auth-type', 'error', `Authentication \`type: ${type}\` is unknown; expected one of ${AUTH_TYPES.map((t) => `\`${t}\``).join(', ')}.${didYouMean(type, AUTH_TYPES)}`, `${p}/type`);
      return undefined;
    }
    const t = type as (typeof AUTH_TYPES)[number];
    r.keys(o, p, `\`${t}\` authentication`, K.auth[t]);
    const e = (key: string): Expr => this.exprAt(o[key] ?? '', `${p}/${key}`);
    switch (t) {
      case 'apikey': {
        const key = r.string(o, 'key', p, { required: true, what: '`apikey` authentication' }) ?? '';
        const placement = r.string(o, 'placement', p) ?? 'header';
        if (placement !== 'header' && placement !== 'query') {
          r.report('invalid-value', 'error', `\`placement: ${placement}\` is unknown; expected \`header\` or \`query\`.`, `${p}/placement`);
        }
        if (o['value'] === undefined) r.report('missing-key', 'error', '`apikey` authentication needs `value`.', p, true);
        return { type: 'apikey', key, value: e('value'), placement: placement === 'query' ? 'query' : 'header', pointer: p };
      }
      case 'bearer':
        if (o['token'] === undefined) r.report('missing-key', 'error', '`bearer` authentication needs `token`.', p, true);
        return { type: 'bearer', token: e('token'), pointer: p };
      case 'basic':
      case 'digest':
        return { type: t, username: e('username'), password: e('password'), pointer: p };
      case 'oauth2': {
        const a: Extract<Authentication, { type: 'oauth2' }> = {
          type: 'oauth2',
          scopes: r.array(o['scopes'], `${p}/scopes`, 'scopes').map(String),
          pointer: p,
        };
        const tokenEndpoint = r.string(o, 'tokenEndpoint', p);
        const asu = r.string(o, 'authorizationServerUri', p);
        const audience = r.string(o, 'audience', p);
        const resource = r.string(o, 'resource', p);
        if (tokenEndpoint !== undefined) a.tokenEndpoint = tokenEndpoint;
        if (asu !== undefined) a.authorizationServerUri = asu;
        if (audience !== undefined) a.audience = audience;
        if (resource !== undefined) a.resource = resource;
        if (o['clientId'] !== undefined) a.clientId = e('clientId');
        if (o['clientSecret'] !== undefined) a.clientSecret = e('clientSecret');
        if (tokenEndpoint === undefined && asu === undefined) {
          r.report('missing-key', 'error', '`oauth2` authentication needs `tokenEndpoint` or `authorizationServerUri`.', p, true);
        }
        return a;
      }
    }
  }

  // ---- aggregates ---------------------------------------------------------------------------

  private readAggregates(raw: unknown, pointer: string): void {
    this.r.array(raw, pointer, 'aggregates').forEach((a, i) => {
      const p = `${pointer}/${i}`;
      const o = this.r.object(a, p, 'An aggregate');
      if (!o) return;
      const ns = this.r.string(o, 'namespace', p, { required: true, what: 'An aggregate' }) ?? '';
      this.r.array(o['functions'], `${p}/functions`, 'functions').forEach((f, j) => {
        if (!isObj(f) || typeof f['name'] !== 'string') return;
        const id = `${ns}.${f['name']}`;
        this.aggregates.set(id, { id, raw: f, pointer: `${p}/functions/${j}` });
      });
    });
  }

  // ---- exposes ------------------------------------------------------------------------------

  private exposed(raw: unknown, p: string): ExposedAdapter | undefined {
    const r = this.r;
    const o = r.object(raw, p, 'An exposes entry');
    if (!o) return undefined;
    const type = r.string(o, 'type', p, { required: true, what: 'An exposes entry' });
    if (type === undefined) return undefined;
    if (!(ADAPTER_TYPES as readonly string[]).includes(type)) {
      r.report('unknown-adapter-type', 'error', `Adapter \`type: ${type}\` is unknown; expected one of ${ADAPTER_TYPES.map((t) => `\`${t}\``).join(', ')}.${didYouMean(type, ADAPTER_TYPES)}`, `${p}/type`);
      return undefined;
    }
    const namespace = r.string(o, 'namespace', p, { required: type !== 'control', what: `A \`${type}\` adapter` });
    if (namespace !== undefined) {
      this.claimNamespace(namespace, p, `${type} adapter`);
      if (!KEBAB.test(namespace)) r.report('non-kebab-name', 'warning', `Namespace \`${namespace}\` should contain only letters, digits and \`-\`.`, `${p}/namespace`);
    }
    const port = this.port(o, p, type === 'rest' || type === 'skill' || type === 'control' || (type === 'mcp' && o['transport'] !== 'stdio'));
    const address = r.string(o, 'address', p);
    if (type === 'skill' || type === 'control') {
      const other: ExposedAdapter = { type, raw: o, pointer: p };
      if (namespace !== undefined) other.namespace = namespace;
      if (port !== undefined) other.port = port;
      if (address !== undefined) other.address = address;
      return other;
    }
    if (type === 'rest') return this.rest(o, p, namespace ?? '', port ?? 0, address);
    return this.mcp(o, p, namespace ?? '', port, address);
  }

  private port(o: Obj, p: string, required: boolean): number | undefined {
    const v = o['port'];
    if (v === undefined || v === null) {
      if (required) this.r.report('missing-key', 'error', 'This adapter needs `port` (an integer from 1 to 65535).', p, true);
      return undefined;
    }
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
      this.r.report('invalid-port', 'error', `\`port: ${String(v)}\` is not a valid port; expected an integer from 1 to 65535.`, `${p}/port`);
      return undefined;
    }
    if (typeof v === 'string') this.r.report('invalid-type', 'warning', `\`port\` should be a number; write it without quotes.`, `${p}/port`);
    return n;
  }

  private checkPorts(exposes: ExposedAdapter[]): void {
    const used = new Map<number, string>();
    for (const a of exposes) {
      if (a.port === undefined) continue;
      const prev = used.get(a.port);
      if (prev !== undefined) {
        this.r.report('port-clash', 'error', `Port ${a.port} is already used by the adapter at ${prev}. Give each adapter its own \`port\`.`, `${a.pointer}/port`);
      } else used.set(a.port, a.pointer);
    }
  }

  private resolveCall(o: Obj, p: string, withRaw: unknown = o['with'], withPointer = `${p}/with`): ResolvedCall | undefined {
    const r = this.r;
    const target = r.string(o, 'call', p);
    if (target === undefined) return undefined;
    const consumed = this.operations.get(target);
    if (!consumed) {
      const [ns] = target.split('.');
      if (ns !== undefined && this.failedImports.has(ns)) return undefined;
      const nsKnown = this.consumes.some((c) => c.namespace === ns);
      r.report(
        'call-target-missing',
        'error',
        `\`call: ${target}\` names no consumed operation${nsKnown ? '' : ` (no consumes namespace \`${ns}\`)`}; expected \`namespace.operation\`.${didYouMean(target, this.operations.keys())}`,
        `${p}/call`,
      );
      return undefined;
    }
    return { target, namespace: consumed.namespace, operation: consumed.name, consumed, with: this.withMap(withRaw, withPointer), pointer: p };
  }

  private withMap(raw: unknown, p: string): Record<string, Expr> {
    const out: Record<string, Expr> = {};
    const o = this.r.object(raw, p, '`with`');
    if (!o) return out;
    for (const [k, v] of Object.entries(o)) {
      const kp = childPointer(p, k);
      if (v !== null && typeof v === 'object') {
        this.r.report('invalid-type', 'warning', `\`with\` value for \`${k}\` should be a string or number; found ${Array.isArray(v) ? 'a list' : 'a mapping'}. It is sent as JSON.`, kp);
      }
      setOwn(out, k, this.exprAt(v, kp));
    }
    return out;
  }

  private mode(o: Obj, call: ResolvedCall | undefined): ExecutionMode {
    if (o['call'] !== undefined) return 'call';
    if (o['steps'] !== undefined) return 'steps';
    if (o['ref'] !== undefined) return 'ref';
    if (call) return 'call';
    return 'mock';
  }

  /** `ref: aggregate.function`: resolve the function and, when it has a `call`, that call. */
  private resolveRef(o: Obj, p: string): ResolvedCall | undefined {
    const target = this.r.string(o, 'ref', p);
    if (target === undefined) return undefined;
    const fn = this.aggregates.get(target);
    if (!fn) {
      this.r.report('ref-target-missing', 'error', `\`ref: ${target}\` names no aggregate function; expected \`aggregate-namespace.function\`.${didYouMean(target, this.aggregates.keys())}`, `${p}/ref`);
      return undefined;
    }
    if (typeof fn.raw['call'] !== 'string') return undefined;
    const withRaw = { ...(isObj(fn.raw['with']) ? fn.raw['with'] : {}), ...(isObj(o['with']) ? o['with'] : {}) };
    return this.resolveCall(fn.raw, fn.pointer, withRaw, `${fn.pointer}/with`);
  }

  private output(raw: unknown, p: string): OutputShape {
    const list = this.r.array(raw, p, 'outputParameters');
    if (list.length === 0) return { kind: 'none' };
    const first = list[0];
    if (list.length === 1 && isObj(first) && first['name'] === undefined) {
      const root = this.outputMapping(first, `${p}/0`);
      if (!root) return { kind: 'none' };
      if ((root.type === 'object' || root.type === 'array') && !root.properties && !root.items && (root.mapping === '$' || root.mapping === '$.')) {
        return { kind: 'passthrough', type: root.type };
      }
      return { kind: 'mapped', root };
    }
    const properties: Record<string, OutputMapping> = {};
    list.forEach((x, i) => {
      if (!isObj(x)) return;
      const m = this.outputMapping(x, `${p}/${i}`);
      if (m) properties[typeof x['name'] === 'string' ? x['name'] : String(i)] = m;
    });
    return { kind: 'mapped', root: { type: 'object', properties, pointer: p } };
  }

  private outputMapping(o: Obj, p: string): OutputMapping | undefined {
    const r = this.r;
    r.keys(o, p, 'an output parameter', K.output);
    const type = this.jsonType(o, p, r, true, 'An output parameter') ?? 'object';
    const m: OutputMapping = { type, pointer: p };
    const mapping = r.string(o, 'mapping', p);
    if (mapping !== undefined) m.mapping = mapping;
    if (o['const'] !== undefined) m.const = o['const'];
    else if (mapping === undefined && o['value'] !== undefined) m.const = o['value'];
    if (o['properties'] !== undefined) {
      const props = r.object(o['properties'], `${p}/properties`, '`properties`');
      if (props) {
        m.properties = {};
        for (const [k, v] of Object.entries(props)) {
          const kp = childPointer(`${p}/properties`, k);
          const child = r.object(v, kp, `Output property \`${k}\``);
          if (!child) continue;
          const cm = this.outputMapping(child, kp);
          if (cm) setOwn(m.properties, k, cm);
        }
      }
    }
    if (o['items'] !== undefined) {
      const it = Array.isArray(o['items']) ? o['items'][0] : o['items'];
      const io = r.object(it, `${p}/items`, '`items`');
      if (io) {
        const im = this.outputMapping(io, Array.isArray(o['items']) ? `${p}/items/0` : `${p}/items`);
        if (im) m.items = im;
      }
    }
    if (type === 'object' && m.properties === undefined && o['name'] === undefined) {
      r.report('object-output-without-properties', 'warning', 'An `object` output without `properties` is not valid alpha2; the selected value is passed through unchanged.', p);
    } else if (type === 'array' && m.items === undefined && o['name'] === undefined) {
      r.report('object-output-without-properties', 'warning', 'An `array` output without `items` is not valid alpha2; the selected value is passed through unchanged.', p);
    }
    return m;
  }

  private rest(o: Obj, p: string, namespace: string, port: number, address: string | undefined): RestAdapter {
    const r = this.r;
    r.keys(o, p, 'a `rest` adapter', K.rest, {
      description: ['adapter-description', ' (only `mcp` adapters have one); it is used as the OpenAPI description.'],
    });
    const adapter: RestAdapter = { type: 'rest', namespace, port, routes: [], pointer: p };
    if (address !== undefined) adapter.address = address;
    const d = r.string(o, 'description', p);
    if (d !== undefined) adapter.description = d;
    if (o['authentication'] !== undefined) {
      const a = this.authentication(o['authentication'], `${p}/authentication`, r);
      if (a) adapter.authentication = a;
    }
    const seen = new Map<string, string>();
    r.array(o['resources'], `${p}/resources`, 'resources').forEach((res, i) => {
      const rp = `${p}/resources/${i}`;
      const ro = r.object(res, rp, 'An exposed resource');
      if (!ro) return;
      r.keys(ro, rp, 'an exposed resource', K.exposedResource);
      const rawPath = r.string(ro, 'path', rp, { required: true, what: 'An exposed resource' }) ?? '/';
      const path = parseUrlTemplate(formatUrlTemplate(this.normalisePath(rawPath, `${rp}/path`, r)));
      const resourceName = r.string(ro, 'name', rp);
      if (resourceName !== undefined && !KEBAB.test(resourceName)) {
        r.report('non-kebab-name', 'warning', `Resource name \`${resourceName}\` is not kebab-case (letters, digits and \`-\` only).`, `${rp}/name`);
      }
      const resourceDescription = r.string(ro, 'description', rp);
      const resInputs = this.exposedParams(ro['inputParameters'], `${rp}/inputParameters`);
      if (ro['operations'] === undefined && ro['forward'] === undefined) {
        r.report('missing-key', 'error', 'An exposed resource needs `operations` (or `forward`).', rp, true);
      }
      r.array(ro['operations'], `${rp}/operations`, 'operations').forEach((op, j) => {
        const opp = `${rp}/operations/${j}`;
        const oo = r.object(op, opp, 'An exposed operation');
        if (!oo) return;
        r.keys(oo, opp, 'an exposed operation', K.exposedOperation);
        const method = this.method(oo, opp, r);
        const call = oo['call'] !== undefined ? this.resolveCall(oo, opp) : oo['ref'] !== undefined ? this.resolveRef(oo, opp) : undefined;
        const opInputs = this.exposedParams(oo['inputParameters'], `${opp}/inputParameters`);
        if (call && oo['call'] !== undefined) this.checkWithRefs(call, [...path.variables, ...resInputs.map((i) => i.name), ...opInputs.map((i) => i.name)], `${opp}/with`);
        const route: RestRoute = {
          path,
          method,
          mode: this.mode(oo, call),
          inputs: this.restInputs(path, [...resInputs, ...opInputs], call),
          output: this.output(oo['outputParameters'], `${opp}/outputParameters`),
          pointer: opp,
        };
        if (resourceName !== undefined) route.resourceName = resourceName;
        const name = r.string(oo, 'name', opp);
        if (name !== undefined) route.name = name;
        const description = r.string(oo, 'description', opp) ?? resourceDescription;
        if (description !== undefined) route.description = description;
        if (call) route.call = call;
        if (route.mode !== 'call') route.raw = oo;
        const shape = `${method} ${formatUrlTemplate(path).replace(/\{[^}]*\}/g, '{}')}`;
        const prev = seen.get(shape);
        if (prev !== undefined) {
          r.report('duplicate-route', 'error', `\`${method} ${formatUrlTemplate(path)}\` is already declared at ${prev}. Each path and method may appear once per adapter.`, `${opp}/method`);
        } else {
          seen.set(shape, opp);
          adapter.routes.push(route);
        }
      });
    });
    return adapter;
  }

  private exposedParams(raw: unknown, pointer: string): ExposedInput[] {
    const r = this.r;
    const out: ExposedInput[] = [];
    r.array(raw, pointer, 'inputParameters').forEach((x, i) => {
      const p = `${pointer}/${i}`;
      const o = r.object(x, p, 'An exposed input parameter');
      if (!o) return;
      r.keys(o, p, 'an exposed input parameter', K.exposedParam);
      const name = r.string(o, 'name', p, { required: true, what: 'An exposed input parameter' });
      if (name === undefined) return;
      this.checkParamName(name, `${p}/name`, r);
      const loc = r.string(o, 'in', p, { required: true, what: `Input parameter \`${name}\`` }) ?? 'query';
      const where = loc === 'path' || loc === 'header' || loc === 'body' || loc === 'query' ? loc : undefined;
      if (where === undefined) {
        r.report('invalid-value', loc === 'cookie' ? 'warning' : 'error', `\`in: ${loc}\` is not supported for exposed inputs; expected path, query, header or body.${didYouMean(loc, ['path', 'query', 'header', 'body'])}`, `${p}/in`);
        return;
      }
      const type = this.jsonType(o, p, r, false) ?? 'string';
      const input: ExposedInput = { name, in: where, type, required: where === 'path', schema: { type }, origin: 'declared' };
      const d = r.string(o, 'description', p);
      if (d !== undefined) {
        input.description = d;
        input.schema['description'] = d;
      }
      const pattern = r.string(o, 'pattern', p);
      if (pattern !== undefined) input.schema['pattern'] = pattern;
      out.push(input);
    });
    return out;
  }

  private restInputs(path: UrlTemplate, declared: ExposedInput[], call: ResolvedCall | undefined): ExposedInput[] {
    const inputs: ExposedInput[] = [];
    const add = (i: ExposedInput): void => {
      if (!inputs.some((x) => x.name === i.name)) inputs.push(i);
    };
    const params = call?.consumed.parameters ?? [];
    const findParam = (name: string): import('./model.js').ConsumedParameter | undefined =>
      params.find((x) => x.name === name) ?? params.find((x) => x.name.toLowerCase() === name.toLowerCase());
    for (const v of path.variables) {
      const cp = findParam(v);
      add(makeInput(v, 'path', cp?.type ?? 'string', true, cp?.description, 'route-path'));
    }
    for (const d of declared) add(d);
    if (!call) return inputs;
    const routeVars = path.variables.map((v) => v.toLowerCase());
    this.withInputs(call, (name, cp) => {
      if (inputs.some((x) => x.name === name)) return;
      const where = name === 'body' || cp?.in === 'body' ? 'body' : cp?.in === 'header' ? 'header' : 'query';
      add(makeInput(name, where, cp?.type ?? (name === 'body' ? 'object' : 'string'), cp?.required ?? false, cp?.description ?? bodyDescription(name), 'with'));
    });
    for (const v of call.consumed.path.variables) {
      if (setByWith(call, v) || routeVars.includes(v.toLowerCase())) continue;
      const cp = params.find((x) => x.in === 'path' && x.name === v);
      add(makeInput(v, 'query', cp?.type ?? 'string', true, cp?.description, 'path-placeholder'));
    }
    for (const cp of params) {
      if (cp.in !== 'query' && cp.in !== 'header' && cp.in !== 'body') continue;
      if (cp.value !== undefined || setByWith(call, cp.name)) continue;
      add(makeInput(cp.name, cp.in, cp.type ?? (cp.in === 'body' && cp.name === 'body' ? 'object' : 'string'), cp.required, cp.description, 'consumed-parameter'));
    }
    return inputs;
  }

  /**
   * Strict mode: every input a `with` expression references must be declared on the exposed side
   * (route placeholder or `inputParameters`). Lenient mode infers them instead.
   */
  private checkWithRefs(call: ResolvedCall, declared: string[], withPointer: string): void {
    if (!this.options.strict) return;
    for (const [key, expr] of Object.entries(call.with)) {
      for (const ref of expressionRefs(expr)) {
        if (ref.kind !== 'input' || declared.includes(ref.name)) continue;
        this.r.report(
          'unknown-input-reference',
          'error',
          `\`with\` value for \`${key}\` references input \`${ref.name}\`, which is not declared. Declare it in \`inputParameters\` (strict mode does not infer inputs).${didYouMean(ref.name, declared)}`,
          childPointer(withPointer, key),
        );
      }
    }
  }

  /** Calls `fn` for each input referenced by `with`, with the consumed parameter it feeds. */
  private withInputs(call: ResolvedCall, fn: (name: string, cp: import('./model.js').ConsumedParameter | undefined, whole: boolean) => void): void {
    const params = call.consumed.parameters;
    for (const [key, expr] of Object.entries(call.with)) {
      const cp = params.find((x) => x.name === key) ?? params.find((x) => x.name.toLowerCase() === key.toLowerCase());
      const whole = expr.kind === 'input' || (expr.kind === 'template' && expr.whole);
      // A path placeholder cannot be left out: an input that fills it is required.
      const fillsPath = call.consumed.path.variables.includes(key);
      const fed: ConsumedParameter | undefined = fillsPath
        ? { name: key, in: 'path', required: true, pointer: call.pointer, ...(cp?.type ? { type: cp.type } : {}), ...(cp?.description ? { description: cp.description } : {}) }
        : cp;
      for (const ref of expressionRefs(expr)) {
        if (ref.kind === 'input') fn(ref.name, whole ? fed : fed ? { ...fed, type: 'string' } : undefined, whole);
      }
    }
  }

  private mcp(o: Obj, p: string, namespace: string, port: number | undefined, address: string | undefined): McpAdapter {
    const r = this.r;
    r.keys(o, p, 'an `mcp` adapter', K.mcp);
    const transport = r.string(o, 'transport', p) ?? 'http';
    if (transport !== 'http' && transport !== 'stdio') {
      r.report('invalid-value', 'error', `\`transport: ${transport}\` is unknown; expected \`http\` or \`stdio\`.${didYouMean(transport, ['http', 'stdio'])}`, `${p}/transport`);
    }
    const adapter: McpAdapter = {
      type: 'mcp',
      namespace,
      transport: transport === 'stdio' ? 'stdio' : 'http',
      tools: [],
      resources: [],
      prompts: [],
      pointer: p,
    };
    if (port !== undefined) adapter.port = port;
    if (address !== undefined) adapter.address = address;
    const d = r.string(o, 'description', p);
    if (d !== undefined) adapter.description = d;
    if (o['authentication'] !== undefined) {
      const a = this.authentication(o['authentication'], `${p}/authentication`, r);
      if (a) adapter.authentication = a;
    }
    if (o['tools'] === undefined) r.report('missing-key', 'warning', 'An `mcp` adapter should declare `tools`.', p, true);
    const names = new Map<string, string>();
    r.array(o['tools'], `${p}/tools`, 'tools').forEach((t, i) => {
      const tool = this.tool(t, `${p}/tools/${i}`);
      if (!tool) return;
      const prev = names.get(tool.name);
      if (prev !== undefined) {
        r.report('duplicate-tool', 'error', `Tool \`${tool.name}\` is already declared at ${prev}. Tool names must be unique per adapter.`, `${tool.pointer}/name`);
        return;
      }
      names.set(tool.name, tool.pointer);
      adapter.tools.push(tool);
    });
    r.array(o['resources'], `${p}/resources`, 'resources').forEach((x, i) => {
      const res = this.mcpResource(x, `${p}/resources/${i}`);
      if (res) adapter.resources.push(res);
    });
    r.array(o['prompts'], `${p}/prompts`, 'prompts').forEach((x, i) => {
      const pr = this.mcpPrompt(x, `${p}/prompts/${i}`);
      if (pr) adapter.prompts.push(pr);
    });
    return adapter;
  }

  private tool(raw: unknown, p: string): McpTool | undefined {
    const r = this.r;
    const o = r.object(raw, p, 'A tool');
    if (!o) return undefined;
    r.keys(o, p, 'a tool', K.tool);
    const name = r.string(o, 'name', p, { required: true, what: 'A tool' });
    if (name === undefined) return undefined;
    if (name.length > MAX_TOOL_NAME) {
      r.report('tool-name-too-long', 'error', `Tool name \`${name}\` has ${name.length} characters; MCP allows at most ${MAX_TOOL_NAME}. Shorten it.`, `${p}/name`);
    } else if (!KEBAB.test(name)) {
      r.report('non-kebab-name', 'warning', `Tool name \`${name}\` should contain only letters, digits and \`-\`.`, `${p}/name`);
    }
    const call = o['call'] !== undefined ? this.resolveCall(o, p) : o['ref'] !== undefined ? this.resolveRef(o, p) : undefined;
    const inputs: ExposedInput[] = [];
    const add = (i: ExposedInput): void => {
      if (!inputs.some((x) => x.name === i.name)) inputs.push(i);
    };
    r.array(o['inputParameters'], `${p}/inputParameters`, 'inputParameters').forEach((x, i) => {
      const ip = `${p}/inputParameters/${i}`;
      const io = r.object(x, ip, 'A tool input parameter');
      if (!io) return;
      r.keys(io, ip, 'a tool input parameter', K.toolParam);
      const n = r.string(io, 'name', ip, { required: true, what: 'A tool input parameter' });
      if (n === undefined) return;
      this.checkParamName(n, `${ip}/name`, r);
      const type = this.jsonType(io, ip, r, false) ?? 'string';
      add(makeInput(n, 'argument', type, r.boolean(io, 'required', ip) ?? true, r.string(io, 'description', ip), 'declared'));
    });
    if (call && o['call'] !== undefined) this.checkWithRefs(call, inputs.map((i) => i.name), `${p}/with`);
    if (call) {
      this.withInputs(call, (n, cp) => {
        add(makeInput(n, 'argument', cp?.type ?? (n === 'body' ? 'object' : 'string'), cp?.required ?? false, cp?.description ?? bodyDescription(n), 'with'));
      });
      for (const v of call.consumed.path.variables) {
        if (setByWith(call, v)) continue;
        const cp = call.consumed.parameters.find((x) => x.in === 'path' && x.name === v);
        add(makeInput(v, 'argument', cp?.type ?? 'string', true, cp?.description, 'path-placeholder'));
      }
      for (const cp of call.consumed.parameters) {
        if (cp.in !== 'query' && cp.in !== 'header' && cp.in !== 'body') continue;
        if (cp.value !== undefined || setByWith(call, cp.name)) continue;
        add(makeInput(cp.name, 'argument', cp.type ?? (cp.name === 'body' ? 'object' : 'string'), cp.required, cp.description ?? bodyDescription(cp.name), 'consumed-parameter'));
      }
    }
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const i of inputs) {
      setOwn(properties, i.name, i.schema);
      if (i.required) required.push(i.name);
    }
    const inputSchema: JsonSchema = { type: 'object', properties };
    if (required.length > 0) inputSchema['required'] = required;
    inputSchema['additionalProperties'] = false;
    const output = this.output(o['outputParameters'], `${p}/outputParameters`);
    const tool: McpTool = {
      name,
      description: r.string(o, 'description', p, { required: true, severity: 'warning', what: `Tool \`${name}\`` }) ?? '',
      annotations: this.annotations(o, p, call),
      mode: this.mode(o, call),
      inputs,
      inputSchema,
      output,
      pointer: p,
    };
    const title = r.string(o, 'label', p);
    if (title !== undefined) tool.title = title;
    if (call) tool.call = call;
    if (tool.mode !== 'call') tool.raw = o;
    const outputSchema = outputSchemaOf(output);
    if (outputSchema) tool.outputSchema = outputSchema;
    return tool;
  }

  private annotations(o: Obj, p: string, call: ResolvedCall | undefined): McpToolAnnotations {
    const hints = this.r.object(o['hints'], `${p}/hints`, '`hints`') ?? {};
    this.r.keys(hints, `${p}/hints`, '`hints`', K.hints);
    const method = call?.consumed.method;
    const hp = `${p}/hints`;
    return {
      readOnlyHint: this.r.boolean(hints, 'readOnly', hp) ?? (method === 'GET' || method === 'HEAD'),
      destructiveHint: this.r.boolean(hints, 'destructive', hp) ?? method === 'DELETE',
      idempotentHint: this.r.boolean(hints, 'idempotent', hp) ?? (method === 'GET' || method === 'HEAD' || method === 'PUT' || method === 'DELETE'),
      openWorldHint: this.r.boolean(hints, 'openWorld', hp) ?? true,
    };
  }

  private mcpResource(raw: unknown, p: string): McpResourceDecl | undefined {
    const r = this.r;
    const o = r.object(raw, p, 'An MCP resource');
    if (!o) return undefined;
    r.keys(o, p, 'an MCP resource', K.mcpResource);
    const name = r.string(o, 'name', p, { required: true, what: 'An MCP resource' }) ?? '';
    const uri = r.string(o, 'uri', p, { required: true, what: `MCP resource \`${name}\`` }) ?? '';
    const call = o['call'] !== undefined ? this.resolveCall(o, p) : undefined;
    const res: McpResourceDecl = {
      name,
      uri,
      description: r.string(o, 'description', p) ?? '',
      mode: o['location'] !== undefined ? 'static' : this.mode(o, call),
      pointer: p,
    };
    const title = r.string(o, 'label', p);
    if (title !== undefined) res.title = title;
    const mimeType = r.string(o, 'mimeType', p);
    if (mimeType !== undefined) res.mimeType = mimeType;
    const location = r.string(o, 'location', p);
    if (location !== undefined) res.location = location;
    if (call) res.call = call;
    return res;
  }

  private mcpPrompt(raw: unknown, p: string): McpPromptDecl | undefined {
    const r = this.r;
    const o = r.object(raw, p, 'An MCP prompt');
    if (!o) return undefined;
    r.keys(o, p, 'an MCP prompt', K.mcpPrompt);
    const name = r.string(o, 'name', p, { required: true, what: 'An MCP prompt' }) ?? '';
    const prompt: McpPromptDecl = { name, description: r.string(o, 'description', p) ?? '', arguments: [], pointer: p };
    const title = r.string(o, 'label', p);
    if (title !== undefined) prompt.title = title;
    r.array(o['arguments'], `${p}/arguments`, 'arguments').forEach((a, i) => {
      const ap = `${p}/arguments/${i}`;
      const ao = r.object(a, ap, 'A prompt argument');
      if (!ao) return;
      r.keys(ao, ap, 'a prompt argument', K.promptArg);
      const n = r.string(ao, 'name', ap, { required: true, what: 'A prompt argument' });
      if (n === undefined) return;
      const arg: McpPromptDecl['arguments'][number] = { name: n, description: r.string(ao, 'description', ap) ?? '', required: r.boolean(ao, 'required', ap) ?? true };
      const t = r.string(ao, 'label', ap);
      if (t !== undefined) arg.title = t;
      prompt.arguments.push(arg);
    });
    if (o['template'] !== undefined) {
      prompt.template = [];
      r.array(o['template'], `${p}/template`, 'template').forEach((m, i) => {
        const mp = `${p}/template/${i}`;
        const mo = r.object(m, mp, 'A prompt message');
        if (!mo) return;
        r.keys(mo, mp, 'a prompt message', K.promptMessage);
        const role = r.string(mo, 'role', mp, { required: true, what: 'A prompt message' });
        if (role !== undefined && role !== 'user' && role !== 'assistant') {
          r.report('invalid-value', 'error', `\`role: ${role}\` is unknown; expected \`user\` or \`assistant\`.`, `${mp}/role`);
        }
        prompt.template?.push({ role: role === 'assistant' ? 'assistant' : 'user', content: r.string(mo, 'content', mp, { required: true, what: 'A prompt message' }) ?? '' });
      });
    }
    const location = r.string(o, 'location', p);
    if (location !== undefined) prompt.location = location;
    return prompt;
  }
}

/**
 * The imported file's name for diagnostics: `location` joined to the importing file's folder
 * (string operations only; `file://` prefixes dropped). Absolute locations and URIs are kept.
 */
export function resolveLocation(location: string, fromSource: string): string {
  const loc = location.replace(/^file:\/\//, '');
  if (loc.startsWith('/') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(loc)) return loc;
  const from = fromSource.replace(/^file:\/\//, '');
  const slash = from.lastIndexOf('/');
  const joined = (slash >= 0 ? from.slice(0, slash + 1) : '') + loc;
  const out: string[] = [];
  for (const seg of joined.split('/')) {
    if (seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..' && out[out.length - 1] !== '') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

function bodyDescription(name: string): string | undefined {
  return name === 'body' ? 'Request body (JSON).' : undefined;
}

function setByWith(call: ResolvedCall, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(call.with, name);
}

function makeInput(
  name: string,
  where: ExposedInput['in'],
  type: JsonType,
  required: boolean,
  description: string | undefined,
  origin: ExposedInput['origin'],
): ExposedInput {
  const schema: JsonSchema = { type };
  const input: ExposedInput = { name, in: where, type, required, schema, origin };
  if (description !== undefined) {
    input.description = description;
    schema['description'] = description;
  }
  return input;
}

function outputSchemaOf(output: OutputShape): JsonSchema | undefined {
  if (output.kind === 'passthrough') return output.type === 'object' ? { type: 'object' } : undefined;
  if (output.kind !== 'mapped' || output.root.type !== 'object') return undefined;
  const schema: JsonSchema = { type: 'object' };
  if (output.root.properties) {
    const props: Record<string, JsonSchema> = {};
    for (const [k, v] of Object.entries(output.root.properties)) {
      setOwn(props, k, { type: v.type });
    }
    schema['properties'] = props;
  }
  return schema;
}
