// Last-Modified on reads and If-Modified-Since → 304, without ever a wrong 304.
//
// An HTTP date has whole seconds, and a write is timed before it commits: a date taken from the
// data alone could be shared by a later write, or by one still in flight when the read was made,
// and a 304 against it would confirm a body that changed. So a Last-Modified here is a time L that
// every write the read could not see is later than:
// - every writer of public data holds the change feed's lock from its first bump of the data
//   version to its commit, and the bump records its time (migrations 0013, 0019);
// - a probe finds the lock free at instant C and reads U, the time of the last committed bump: no
//   write was in flight at C, so every write not yet committed at C is timed after C;
// - a read that starts after the probe sees everything committed before C, so what it cannot see
//   is timed after C. Its Last-Modified is ceil(U) (whole seconds) when that is at most C, else
//   floor(C): never later than C, never earlier than the data it shows in the first case.
// If-Modified-Since: T is answered 304 only when the last committed bump (read afresh) is at or
// before T, and so is the process's start (a release can change a body without changing data).
// One time for all data: any write moves every Last-Modified (the ETag stays the exact validator).
// With read replicas, none is given: a replica's reads may lag what the primary's probe saw.
import { sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { rowsOf } from './rows.js';

/** A probe's result: when the feed's lock was found free, and the last bump then (ms since the epoch). */
export interface Probe {
  at: number;
  updated: number;
  /** The Last-Modified header of what was read after it (dateOf, as an HTTP date), once formatted. */
  header?: string | undefined;
}

/** The advisory lock key of the change feed (migration 0013's changes_lock). */
const FEED_LOCK = 7_261_006;

const second = 1000;

export interface LastModified {
  /** The newest probe that found no write in flight: take it before a read, to date what it reads. */
  readonly probe: Probe | undefined;
  /**
   * The Last-Modified header (an HTTP date) of what was read after `probe`, or undefined when there
   * is none to give; formatted once per probe.
   */
  headerOf(probe: Probe | undefined): string | undefined;
  /** Whether no data has changed since `since` (If-Modified-Since), read afresh on the primary. */
  unchangedSince(since: Date): Promise<boolean>;
  /** Probes now (after a write commits, and every `pollMs`). */
  refresh(): Promise<void>;
  start(): Promise<void>;
  stop(): void;
}

export function createLastModified(database: Database, options: { pollMs: number; startedAt: number }): LastModified {
  const enabled = database.servers.length === 1;
  let latest: Probe | undefined;
  let timer: NodeJS.Timeout | undefined;
  const startedAt = options.startedAt;

  async function refresh() {
    if (!enabled) return;
    const [row] = await rowsOf<{ free: boolean; at: number; updated: number }>(
      database.primary,
      sql`select pg_try_advisory_xact_lock_shared(${FEED_LOCK}) as free,
        (extract(epoch from clock_timestamp()) * 1000)::float8 as at,
        (select extract(epoch from updated_at) * 1000 from data_version)::float8 as updated`,
    );
    // Only a probe that found no write in flight can date a read; one that did is dropped.
    if (row?.free && row.updated !== null) {
      const probe = { at: Number(row.at), updated: Number(row.updated) };
      if (!latest || probe.at > latest.at) latest = probe;
    }
  }

  function dateOf(probe: Probe | undefined): Date | undefined {
    if (!enabled || !probe) return undefined;
    const data = Math.max(probe.updated, startedAt);
    const up = Math.ceil(data / second) * second;
    return new Date(up <= probe.at ? up : Math.floor(probe.at / second) * second);
  }

  return {
    get probe() {
      return latest;
    },
    headerOf: (probe) => probe && (probe.header ??= dateOf(probe)?.toUTCString()),
    async unchangedSince(since) {
      if (!enabled) return false;
      const [row] = await rowsOf<{ updated: number }>(
        database.primary,
        sql`select (extract(epoch from updated_at) * 1000)::float8 as updated from data_version`,
      );
      return row !== undefined && Math.max(Number(row.updated), startedAt) <= since.getTime();
    },
    refresh,
    async start() {
      if (options.pollMs > 0 && !timer) {
        timer = setInterval(() => {
          refresh().catch(() => undefined);
        }, options.pollMs);
        timer.unref();
      }
      await refresh();
    },
    stop: () => clearInterval(timer),
  };
}
