// Editing reference records (people, parties, sources, areas) safely: each has a revision that
// every PATCH bumps, its reads carry it in their ETag, and a PATCH needs If-Match naming the
// revision it read (428 without, 412 when someone else changed it first). People and parties
// recorded twice are merged; the id merged away answers 301 with the survivor's URL.
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { SUBJECT_KEY, subjectColumn, type SubjectKind } from '../../db/names.js';
import { areas, candidates, names, organisations, redirects, sources } from '../../db/schema/index.js';
import { ifMatchAdmits } from '../../lib/etag.js';
import { nameKey } from '../../lib/name-key.js';
import { HttpProblem, notFound, unprocessable } from '../../lib/problem.js';

export const editable = { person: candidates, party: organisations, source: sources, area: areas } as const;
export type EditableKind = keyof typeof editable;
/** The kinds a merge applies to: the same person or party recorded twice. */
export type MergeableKind = 'person' | 'party';

const NOUN: Record<EditableKind, string> = {
  person: 'Candidate',
  party: 'Organisation',
  source: 'Source',
  area: 'Area',
};
const PATH: Record<EditableKind, string> = {
  person: 'candidates',
  party: 'organisations',
  source: 'sources',
  area: 'areas',
};

/** The revision part of a record's ETag (If-Match compares it; a read adds a digest of its body). */
export const revisionTag = (revision: number) => `"r${revision}"`;

/** The record's URL under /v1. */
export const recordUrl = (kind: EditableKind, id: string) => `/v1/${PATH[kind]}/${id}`;

/** The id this one was merged into, if it was. */
export async function mergedInto(db: Db, kind: MergeableKind, id: string): Promise<string | undefined> {
  const [row] = await db
    .select({ intoId: redirects.intoId })
    .from(redirects)
    .where(sql`${redirects.kind} = ${kind} and ${redirects.fromId} = ${id}`);
  return row?.intoId;
}

/**
 * For a read of a record that is not there: a 301 to the record it was merged into (the rest of
 * the path and the query kept), else a 404.
 */
export async function redirectOrNotFound(
  request: FastifyRequest,
  reply: FastifyReply,
  kind: MergeableKind,
  id: string,
): Promise<FastifyReply> {
  const into = await mergedInto(request.db, kind, id);
  if (!into) throw notFound(`${NOUN[kind]} ${id} not found.`);
  const [path = '', query] = request.url.split('?', 2);
  const prefix = `${recordUrl(kind, '')}`;
  const rest = path.slice(prefix.length + encodeURIComponent(id).length);
  const location = `${recordUrl(kind, encodeURIComponent(into))}${rest}${query === undefined ? '' : `?${query}`}`;
  // Permanent: the merged-away id is never used again; caches may keep the redirect a day.
  return reply
    .code(301)
    .header('location', location)
    .header('cache-control', 'public, max-age=86400')
    .type('application/json; charset=utf-8')
    .send({ id: into, mergedFrom: id, location });
}

/**
 * Locks the record for the rest of the transaction and checks the request's If-Match against its
 * revision: 428 without one, 404 (saying where a merged record went), 412 when it changed.
 */
export async function lockForEdit(tx: Db, kind: EditableKind, id: string, ifMatch: string | undefined) {
  const url = recordUrl(kind, id);
  if (!ifMatch) throw new HttpProblem(428, `Send If-Match with the ETag of GET ${url}.`);
  const table = editable[kind];
  const [row] = await tx.select({ revision: table.revision }).from(table).where(eq(table.id, id)).for('update');
  if (!row) {
    const into = kind === 'person' || kind === 'party' ? await mergedInto(tx, kind, id) : undefined;
    throw notFound(
      into
        ? `${NOUN[kind]} ${id} was merged into ${into}: edit ${recordUrl(kind, into)}.`
        : `${NOUN[kind]} ${id} not found.`,
    );
  }
  const current = revisionTag(row.revision);
  if (!ifMatchAdmits(ifMatch, current))
    throw new HttpProblem(
      412,
      `The ${NOUN[kind].toLowerCase()} changed since you read it (it is at revision ${row.revision}): read ${url} again.`,
    );
  return row.revision;
}

/** Writes the changes and bumps the revision; returns the new revision. */
export async function applyEdit(
  tx: Db,
  kind: EditableKind,
  id: string,
  changes: Record<string, unknown>,
): Promise<number> {
  const table = editable[kind];
  const [row] = await tx
    .update(table)
    .set({ ...changes, revision: sql`${table.revision} + 1` })
    .where(eq(table.id, id))
    .returning({ revision: table.revision });
  return row!.revision;
}

/**
 * A record's previous English name stays searchable (a variant: a correction's old spelling is
 * what some users still type; a party's old name is what older sources print).
 */
export async function keepOldName(tx: Db, kind: SubjectKind, id: string, oldName: string, sourceId: string) {
  await tx
    .insert(names)
    .values({
      [SUBJECT_KEY[kind]]: id,
      name: oldName,
      lang: 'en',
      kind: 'variant',
      preferred: false,
      searchKey: nameKey(oldName),
      sourceId,
    })
    .onConflictDoNothing();
}

/**
 * Merges `fromId` into `intoId` (the same person or party, recorded twice), in one transaction:
 * their lines, names, identifiers (and a party's alliance memberships) move to `intoId`, the
 * record `fromId` is deleted and a redirect answers for it. Refused (409) when the two cannot be
 * one: both stand in the same result version, or another dataset gives them different ids.
 */
export async function mergeRecords(tx: Db, kind: MergeableKind, fromId: string, intoId: string): Promise<void> {
  const table = editable[kind];
  const noun = NOUN[kind];
  for (const id of [fromId, intoId].sort()) {
    const [row] = await tx.select({ id: table.id }).from(table).where(eq(table.id, id)).for('update');
    if (row) continue;
    const into = await mergedInto(tx, kind, id);
    const where = into ? `: it was merged into ${into}` : '';
    if (id === fromId) throw notFound(`${noun} ${id} not found${where}.`);
    throw new HttpProblem(404, `into: no ${noun.toLowerCase()} has the id '${id}'${where}.`, [
      { in: 'body', name: 'into', message: `no ${noun.toLowerCase()} has the id '${id}'${where}` },
    ]);
  }
  const line = kind === 'person' ? sql`candidate_id` : sql`nominator_id`;
  const partyLines = kind === 'party' ? sql` and a.kind = 'party' and b.kind = 'party'` : sql``;
  const together = await rowsOf(
    tx,
    sql`
    select a.version_id from vote_shares a join vote_shares b on b.version_id = a.version_id
    where a.${line} = ${fromId} and b.${line} = ${intoId}${partyLines} limit 1`,
  );
  if (together.length)
    throw new HttpProblem(409, `${fromId} and ${intoId} stand side by side in one result: they are not one ${kind}.`);
  const winnerColumn = kind === 'person' ? sql`candidate_id` : sql`organisation_id`;
  const called = await rowsOf(
    tx,
    sql`
    select a.call_id from race_call_winners a join race_call_winners b on b.call_id = a.call_id
    where a.${winnerColumn} = ${fromId} and b.${winnerColumn} = ${intoId} limit 1`,
  );
  if (called.length)
    throw new HttpProblem(
      409,
      `${fromId} and ${intoId} are named side by side in one race call: they are not one ${kind}.`,
    );
  const subject = sql.identifier(subjectColumn(names, kind).name);
  const clash = await rowsOf(
    tx,
    sql`
    select a.scheme from external_ids a join external_ids b on b.scheme = a.scheme
    where a.${subject} = ${fromId} and b.${subject} = ${intoId} and a.value <> b.value limit 1`,
  );
  if (clash.length)
    throw new HttpProblem(
      409,
      `${fromId} and ${intoId} have different ${String(clash[0]!.scheme)} ids: that dataset holds them as two ${kind === 'person' ? 'people' : 'parties'}.`,
    );
  if (kind === 'party') {
    const nested = await rowsOf(
      tx,
      sql`
      select 1 from organisation_members where (alliance_id, member_id) in ((${fromId}, ${intoId}), (${intoId}, ${fromId}))`,
    );
    if (nested.length)
      throw new HttpProblem(409, `${fromId} and ${intoId} are an alliance and its member: they are not one party.`);
  }

  // The redirect first: the lines' trigger admits a new candidate or nominator only along one.
  await tx.insert(redirects).values({ kind, fromId, intoId });
  await tx.execute(sql`update redirects set into_id = ${intoId} where kind = ${kind} and into_id = ${fromId}`);
  await tx.execute(sql`update vote_shares set ${line} = ${intoId} where ${line} = ${fromId}`);
  // A race call's winners follow too (the call locked them before naming them: see calls.repository).
  await tx.execute(sql`update race_call_winners set ${winnerColumn} = ${intoId} where ${winnerColumn} = ${fromId}`);
  if (kind === 'party') {
    for (const side of [sql`alliance_id`, sql`member_id`]) {
      await tx.execute(sql`insert into organisation_members (alliance_id, member_id, source_id)
        select case when alliance_id = ${fromId} then ${intoId} else alliance_id end,
               case when member_id = ${fromId} then ${intoId} else member_id end, source_id
        from organisation_members where ${side} = ${fromId} on conflict do nothing`);
    }
    await tx.execute(sql`delete from organisation_members where alliance_id = ${fromId} or member_id = ${fromId}`);
  }
  // Its names join the survivor's: its own English names become variants, and a name in another
  // language stays preferred only where the survivor has none preferred.
  await tx.execute(sql`
    insert into names (${subject}, name, lang, kind, preferred, valid_from, valid_to, search_key, source_id)
    select ${intoId}, n.name, n.lang,
      case when n.lang = 'en' and n.preferred and n.kind in ('name', 'short', 'abbreviation') then 'variant' else n.kind end,
      n.preferred and not (n.lang = 'en' and n.kind in ('name', 'short', 'abbreviation')) and not exists (
        select 1 from names m where m.${subject} = ${intoId} and m.lang = n.lang and m.kind = n.kind and m.preferred),
      n.valid_from, n.valid_to, n.search_key, n.source_id
    from names n where n.${subject} = ${fromId}
    on conflict do nothing`);
  await tx.execute(sql`delete from names where ${subject} = ${fromId}`);
  await tx.execute(sql`update external_ids set ${subject} = ${intoId} where ${subject} = ${fromId}`);
  await tx.delete(table).where(eq(table.id, fromId));
}

const RESOURCE_TYPE = { person: 'candidate', party: 'organisation' } as const;

/** POST /v1/{candidates|organisations}/{id}/merge: `id` merged into `into`, in one write. */
export function mergeRoute(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  kind: MergeableKind,
  id: string,
  into: string,
) {
  return app.write(request, reply, { action: 'merge', resourceType: RESOURCE_TYPE[kind] }, async (tx) => {
    if (id === into) throw unprocessable([{ in: 'body', name: 'into', message: 'is the record itself' }]);
    await mergeRecords(tx, kind, id, into);
    const location = recordUrl(kind, into);
    return { status: 200 as const, body: { id: into, mergedFrom: id, location }, location, resourceId: id };
  });
}
