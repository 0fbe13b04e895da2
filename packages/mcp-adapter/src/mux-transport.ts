/**
 * A tiny multiplexing transport: one long-lived `McpServer`, connected once, answers 2025-era
 * requests arriving on many HTTP exchanges. Request ids are rewritten to unique internal ids
 * (clients reuse ids) and restored on the way out. Server-initiated messages are dropped: the
 * endpoint is stateless, there is no stream to carry them.
 */
import type { JSONRPCMessage, MessageExtraInfo, Transport } from '@modelcontextprotocol/server';

type Pending = { id: string | number; resolve: (message: JSONRPCMessage) => void };

export class MultiplexTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    const id = (message as { id?: unknown }).id;
    if (typeof id !== 'number' || !('result' in message || 'error' in message)) return;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.resolve({ ...message, id: p.id } as JSONRPCMessage);
  }

  /**
   * Deliver one inbound message. Resolves with the response for a request, `undefined` for a
   * notification or a posted response.
   */
  handle(message: JSONRPCMessage, extra?: MessageExtraInfo): Promise<JSONRPCMessage | undefined> {
    if (this.closed || !this.onmessage) return Promise.reject(new Error('transport closed'));
    const m = message as { id?: unknown; method?: unknown };
    if (typeof m.method !== 'string' || m.id === undefined) {
      if (typeof m.method === 'string') this.onmessage(message, extra);
      return Promise.resolve(undefined);
    }
    const internal = this.nextId++;
    if (this.nextId > Number.MAX_SAFE_INTEGER - 1) this.nextId = 1;
    return new Promise<JSONRPCMessage>((resolve) => {
      this.pending.set(internal, { id: m.id as string | number, resolve });
      this.onmessage!({ ...message, id: internal } as JSONRPCMessage, extra);
    });
  }


  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    this.onclose?.();
  }
}
