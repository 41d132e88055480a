import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client.js';
import { type Change, changesAfter, feedHead } from './changes.repository.js';

/** What a stream asks for: the change feed's filters. */
export interface StreamFilter {
  election?: string | undefined;
  country?: string | undefined;
  kind?: string | undefined;
}

export const matches = (filter: StreamFilter, c: Change) =>
  (filter.election === undefined || c.election_id === filter.election) &&
  (filter.country === undefined || c.country_code === filter.country) &&
  (filter.kind === undefined || c.kind === filter.kind);

/** Each batch of changes the hub reads, oldest first, every kind and election (subscribers filter). */
export type Listener = (batch: Change[]) => void;

export interface HubOptions {
  /** How often to read the feed even without a notification (a lost one, a lost connection). */
  pollMs: number;
}

const PAGE = 500;

/**
 * One per API process: reads the change feed (on the primary) after the last id it has read, each
 * time PostgreSQL notifies that the feed grew (migration 0016: at commit, on every instance), and
 * hands each batch to the listeners (the open streams). The feed, not the notification, says what
 * changed: a notification lost (a dropped connection) delays a change by at most `pollMs`, and a
 * write rolled back never notifies and never is in the feed. Started by the first listener.
 */
export class ChangeHub {
  private readonly listeners = new Set<Listener>();
  private head: string | null = null;
  private started: Promise<void> | null = null;
  private stopListening: (() => Promise<void>) | null = null;
  private poll: NodeJS.Timeout | undefined;
  private reading = false;
  private again = false;
  private closed = false;

  constructor(
    private readonly database: Database,
    private readonly log: FastifyBaseLogger,
    private readonly options: HubOptions,
  ) {}

  /** Adds a listener, once the hub reads the feed; returns the feed's id it will read after. */
  async subscribe(listener: Listener): Promise<() => void> {
    await this.start();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size() {
    return this.listeners.size;
  }

  /** The newest id read (and handed to listeners), or null before the first. */
  get position() {
    return this.head;
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      this.head = await feedHead(this.database.primary);
      this.stopListening = await this.database.listen('changes', {
        onNotify: () => this.wake(),
        // After a reconnection: what was committed meanwhile was not notified.
        onListening: () => this.wake(),
        onError: (err) => this.log.warn({ err }, 'change feed: lost the LISTEN connection; reconnecting'),
      });
      this.poll = setInterval(() => this.wake(), this.options.pollMs);
      this.poll.unref();
    })().catch((err: unknown) => {
      this.started = null;
      throw err;
    });
    return this.started;
  }

  /** Reads what the feed has after `head`; a wake-up during a read makes it read again after. */
  wake(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.read().finally(() => {
      this.reading = false;
    });
  }

  private async read(): Promise<void> {
    try {
      do {
        this.again = false;
        for (;;) {
          const since = Number(this.head ?? 0);
          const rows = await changesAfter(this.database.primary, { since, limit: PAGE });
          const batch = rows.filter((r): r is Change => r.id !== null);
          if (batch.length === 0 || this.closed) break;
          this.head = batch.at(-1)!.id;
          for (const listener of this.listeners) listener(batch);
          if (batch.length < PAGE) break;
        }
      } while (this.again && !this.closed);
    } catch (err) {
      // The next notification or poll reads again from the same place.
      this.log.warn({ err }, 'change feed: reading for the streams failed');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    this.listeners.clear();
    await this.stopListening?.().catch(() => {});
  }
}
