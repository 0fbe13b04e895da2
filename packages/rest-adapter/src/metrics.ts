/**
 * Prometheus metrics with prom-client, in a `Registry` of their own (never the global one), so that
 * several apps in one process do not mix their counts.
 */
import { Counter, Histogram, Registry } from 'prom-client';

export interface RestMetrics {
  registry: Registry;
  /** Records one answered request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Records one upstream response (or failure: status 0). */
  observeUpstream(operation: string, status: number): void;
}

interface RequestChildren {
  count: { inc(): void };
  duration: { observe(v: number): void };
}

export function createMetrics(registry: Registry = new Registry()): RestMetrics {
  const requests = new Counter({
    name: 'naftiko_http_requests_total',
    help: 'HTTP requests answered by the REST adapter, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'naftiko_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const upstream = new Counter({
    name: 'naftiko_upstream_responses_total',
    help: 'Upstream responses by consumed operation and status (0 = no response: timeout or connection failure).',
    labelNames: ['operation', 'status'] as const,
    registers: [registry],
  });
  // Labelled children are cached: no label-object hashing on the hot path.
  const requestChildren = new Map<string, RequestChildren>();
  const upstreamChildren = new Map<string, { inc(): void }>();
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let c = requestChildren.get(key);
      if (c === undefined) {
        const labels = { method, route, status: String(status) };
        c = { count: requests.labels(labels), duration: duration.labels(labels) };
        requestChildren.set(key, c);
      }
      c.count.inc();
      c.duration.observe(seconds);
    },
    observeUpstream(operation, status) {
      const key = `${status} ${operation}`;
      let c = upstreamChildren.get(key);
      if (c === undefined) {
        c = upstream.labels({ operation, status: String(status) });
        upstreamChildren.set(key, c);
      }
      c.inc();
    },
  };
}
