import { createRequire } from 'node:module';
import type { Counter, Histogram, Registry } from 'prom-client';
import type { ToolMetricsSink, ToolOutcome } from './registry.js';

const requireModule = createRequire(import.meta.url);

interface PromMetrics {
  registry: Registry;
  calls: Counter<'tool' | 'outcome'>;
  latency: Histogram<'tool' | 'outcome'>;
}

/**
 * Prometheus metrics of one app (its own `Registry`, so several apps never clash).
 *
 * prom-client (with @opentelemetry/api, ≈ 80 modules) is loaded on first use — the first tool call
 * or the first scrape — not at start-up.
 */
export class McpMetrics implements ToolMetricsSink {
  private prom: PromMetrics | undefined;
  private readonly bound = new Map<string, Map<ToolOutcome, { inc: () => void; observe: (s: number) => void }>>();

  get registry(): Registry {
    return this.metrics().registry;
  }

  private metrics(): PromMetrics {
    if (this.prom !== undefined) return this.prom;
    const promClient = requireModule('prom-client') as typeof import('prom-client');
    const registry = new promClient.Registry();
    const calls = new promClient.Counter({
      name: 'naftiko_mcp_tool_calls_total',
      help: 'MCP tools/call requests by tool and outcome.',
      labelNames: ['tool', 'outcome'],
      registers: [registry],
    });
    const latency = new promClient.Histogram({
      name: 'naftiko_mcp_tool_call_duration_seconds',
      help: 'MCP tools/call latency (upstream call included) by tool and outcome.',
      labelNames: ['tool', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.prom = { registry, calls, latency };
    return this.prom;
  }

  observe(tool: string, outcome: ToolOutcome, seconds: number): void {
    let byOutcome = this.bound.get(tool);
    if (!byOutcome) {
      byOutcome = new Map();
      this.bound.set(tool, byOutcome);
    }
    let b = byOutcome.get(outcome);
    if (!b) {
      const { calls, latency } = this.metrics();
      const c = calls.labels(tool, outcome);
      const h = latency.labels(tool, outcome);
      b = { inc: () => c.inc(), observe: (s: number) => h.observe(s) };
      byOutcome.set(outcome, b);
    }
    b.inc();
    b.observe(seconds);
  }
}
