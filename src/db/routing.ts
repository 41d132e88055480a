// Which server a request's reads go to. With streaming replicas, anonymous reads are spread over
// them; a request that must see the latest writes (an editor's, with an API key) is pinned to the
// primary. The choice lives in the request's async context, so repositories just use `app.db`.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Routing {
  /** Read from the primary (set for requests carrying a valid API key). */
  primary: boolean;
  /** The name of the server that answered the request's last read ('primary', 'replica-1', …). */
  served?: string;
}

export const routing = new AsyncLocalStorage<Routing>();

/** Runs `fn` (and everything it starts) with a fresh routing context. */
export function withRouting<T>(fn: () => T): T {
  return routing.run({ primary: false }, fn);
}

/** Pins the current request's reads to the primary. */
export function pinToPrimary(): void {
  const store = routing.getStore();
  if (store) store.primary = true;
}

export const pinnedToPrimary = (): boolean => routing.getStore()?.primary ?? false;
