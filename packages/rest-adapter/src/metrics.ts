/**
 * Prometheus metrics in a prom-client `Registry` of their own (never the global one), so that several
 * apps in one process do not mix their counts.
 *
 * The hot path only bumps numbers in a record cached per label set; the text is produced at scrape
 * time by metric objects registered in the registry (prom-client's own Counter/Histogram hash their
 * label objects on every observation, which is measurable at gateway request rates).
 */
import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';

const requireModule = createRequire(import.meta.url);

/** prom-client (with @opentelemetry/api, ≈ 80 modules) is loaded on the first use of the registry. */
function newRegistry(): Registry {
  const promClient = requireModule('prom-client') as typeof import('prom-client');
  return new promClient.Registry();
}

export interface RestMetrics {
  registry: Registry;
  /** Records one answered request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Records one upstream response (or failure: status 0). */
  observeUpstream(operation: string, status: number): void;
  /** `observeRequest` bound to one route template: no label key built per request. */
  requestRecorder(route: string): (method: string, status: number, seconds: number) => void;
  /** `observeUpstream` bound to one operation: no label key built per request. */
  upstreamCounter(operation: string): (status: number) => void;
}

/** Latency buckets, seconds. */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

interface CollectedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: MetricValue[];
}

/** The shape prom-client's `Registry` reads from a registered metric. */
interface RegistrableMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  get(): Promise<CollectedMetric>;
  reset(): void;
}

interface RequestSeries {
  labels: { method: string; route: string; status: string };
  count: number;
  sum: number;
  /** Non-cumulative counts per bucket; the last one is +Inf. */
  buckets: Float64Array;
}

interface CounterSeries {
  labels: Record<string, string>;
  count: number;
}

export function createMetrics(given?: Registry): RestMetrics {
  const requests = new Map<string, RequestSeries>();
  const upstream = new Map<string, CounterSeries>();
  const bounds = LATENCY_BUCKETS;

  const requestCount: RegistrableMetric = {
    name: 'naftiko_http_requests_total',
    help: 'HTTP requests answered by the REST adapter, by method, route template and status.',
    type: 'counter',
    aggregator: 'sum',
    async get() {
      const values: MetricValue[] = [];
      for (const s of requests.values()) values.push({ labels: s.labels, value: s.count });
      return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
    },
    reset: () => requests.clear(),
  };
  const requestDuration: RegistrableMetric = {
    name: 'naftiko_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status.',
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      const values: MetricValue[] = [];
      for (const s of requests.values()) {
        let cumulative = 0;
        for (let i = 0; i <= bounds.length; i++) {
          cumulative += s.buckets[i]!;
          values.push({ labels: { ...s.labels, le: i < bounds.length ? bounds[i]! : '+Inf' }, value: cumulative, metricName: `${this.name}_bucket` });
        }
        values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
        values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
      }
      return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
    },
    reset: () => requests.clear(),
  };
  const upstreamCount: RegistrableMetric = {
    name: 'naftiko_upstream_responses_total',
    help: 'Upstream responses by consumed operation and status (0 = no response: timeout or connection failure).',
    type: 'counter',
    aggregator: 'sum',
    async get() {
      const values: MetricValue[] = [];
      for (const s of upstream.values()) values.push({ labels: s.labels, value: s.count });
      return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
    },
    reset: () => upstream.clear(),
  };
  // The registry (and prom-client with it) is built on first access: at the first scrape.
  let registry: Registry | undefined;
  const registryOf = (): Registry => {
    if (registry === undefined) {
      const r = given ?? newRegistry();
      for (const m of [requestCount, requestDuration, upstreamCount]) r.registerMetric(m as never);
      registry = r;
    }
    return registry;
  };
  // A registry passed in (prom-client already loaded by the caller) holds the metrics at once.
  if (given !== undefined) registryOf();

  const requestSeries = (method: string, route: string, status: number): RequestSeries => {
    const key = `${method} ${status} ${route}`;
    let s = requests.get(key);
    if (s === undefined) {
      s = { labels: { method, route, status: String(status) }, count: 0, sum: 0, buckets: new Float64Array(bounds.length + 1) };
      requests.set(key, s);
    }
    return s;
  };
  const addRequest = (s: RequestSeries, seconds: number): void => {
    s.count++;
    s.sum += seconds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    s.buckets[i]!++;
  };
  const upstreamSeries = (operation: string, status: number): CounterSeries => {
    const key = `${status} ${operation}`;
    let s = upstream.get(key);
    if (s === undefined) {
      s = { labels: { operation, status: String(status) }, count: 0 };
      upstream.set(key, s);
    }
    return s;
  };
  // Series cached by the bound recorders are re-fetched after a `reset()` (the registry's maps are
  // the source of truth); a generation number tells them.
  let generation = 0;
  for (const m of [requestCount, requestDuration, upstreamCount]) {
    const reset = m.reset;
    m.reset = () => {
      generation++;
      reset();
    };
  }

  return {
    get registry(): Registry {
      return registryOf();
    },
    observeRequest(method, route, status, seconds) {
      addRequest(requestSeries(method, route, status), seconds);
    },
    observeUpstream(operation, status) {
      upstreamSeries(operation, status).count++;
    },
    requestRecorder(route) {
      // The last series used: a route answers almost always with one method and one status.
      let last: RequestSeries | undefined;
      let lastMethod = '';
      let lastStatus = -1;
      let lastGeneration = generation;
      return (method, status, seconds) => {
        if (last === undefined || status !== lastStatus || method !== lastMethod || lastGeneration !== generation) {
          last = requestSeries(method, route, status);
          lastMethod = method;
          lastStatus = status;
          lastGeneration = generation;
        }
        addRequest(last, seconds);
      };
    },
    upstreamCounter(operation) {
      let last: CounterSeries | undefined;
      let lastStatus = -1;
      let lastGeneration = generation;
      return (status) => {
        if (last === undefined || status !== lastStatus || lastGeneration !== generation) {
          last = upstreamSeries(operation, status);
          lastStatus = status;
          lastGeneration = generation;
        }
        last.count++;
      };
    },
  };
}
