import { Counter, Histogram, Registry } from 'prom-client';
import type { ToolMetricsSink, ToolOutcome } from './registry.js';

/** Prometheus metrics of one app (its own `Registry`, so several apps never clash). */
export class McpMetrics implements ToolMetricsSink {
  readonly registry = new Registry();
  private readonly calls: Counter<'tool' | 'outcome'>;
  private readonly latency: Histogram<'tool' | 'outcome'>;
  private readonly bound = new Map<string, Map<ToolOutcome, { inc: () => void; observe: (s: number) => void }>>();

  constructor() {
    this.calls = new Counter({
      name: 'naftiko_mcp_tool_calls_total',
      help: 'MCP tools/call requests by tool and outcome.',
      labelNames: ['tool', 'outcome'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'naftiko_mcp_tool_call_duration_seconds',
      help: 'MCP tools/call latency (upstream call included) by tool and outcome.',
      labelNames: ['tool', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
  }

  observe(tool: string, outcome: ToolOutcome, seconds: number): void {
    let byOutcome = this.bound.get(tool);
    if (!byOutcome) {
      byOutcome = new Map();
      this.bound.set(tool, byOutcome);
    }
    let b = byOutcome.get(outcome);
    if (!b) {
      const c = this.calls.labels(tool, outcome);
      const h = this.latency.labels(tool, outcome);
      b = { inc: () => c.inc(), observe: (s: number) => h.observe(s) };
      byOutcome.set(outcome, b);
    }
    b.inc();
    b.observe(seconds);
  }
}
