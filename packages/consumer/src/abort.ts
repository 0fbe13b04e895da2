import type { Socket } from 'node:net';
import type { AbortHandle } from './types.js';

const INFLIGHT = Symbol.for('naftiko-ts.consumer.inflight');
type TrackedSocket = Socket & { [INFLIGHT]?: Set<AbortHandle> };

function abortHandle(handle: AbortHandle): void {
  handle.aborted = true;
  handle.onAbort?.();
}

/**
 * Ties an in-flight upstream call to the client connection that asked for it: when the connection
 * closes, the call's handle is aborted. One `close` listener per connection (not per request), so
 * the hot path allocates no `AbortController`. Returns the connection's set of in-flight handles
 * (delete the handle from it when the call settles), or `undefined` when there is nothing to track
 * (no socket, or the socket is already gone: then the handle is aborted at once).
 */
export function trackConnectionAbort(socket: Socket | null | undefined, handle: AbortHandle): Set<AbortHandle> | undefined {
  if (socket === null || socket === undefined || typeof socket.once !== 'function') return undefined;
  if (socket.destroyed) {
    abortHandle(handle);
    return undefined;
  }
  const tracked = socket as TrackedSocket;
  let calls = tracked[INFLIGHT];
  if (calls === undefined) {
    const set = new Set<AbortHandle>();
    calls = set;
    tracked[INFLIGHT] = set;
    socket.once('close', () => {
      for (const h of set) abortHandle(h);
      set.clear();
    });
  }
  calls.add(handle);
  return calls;
}
