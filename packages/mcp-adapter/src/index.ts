export { createMcpApp, type McpAppOptions, type McpAppOptionsMany, type McpAppOptionsSingle } from './app.js';
export { serveMcpStdio, type ServeMcpStdioOptions, type McpStdioHandle } from './stdio.js';
export {
  createToolRegistry,
  type AdapterEntry,
  type CompiledTool,
  type CreateToolRegistryOptions,
  type ToolDefinition,
  type ToolMetricsSink,
  type ToolOutcome,
  type ToolRegistry,
  type ToolResult,
} from './registry.js';
export { HotPath, type McpHeaders } from './hot-path.js';
export { McpAdapterError, type McpAdapterErrorCode } from './errors.js';
export { VERSION } from './version.js';
