import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { iso31662 } from 'iso-3166';
import type { Db } from '../../db/client.js';
import { type Listing, listResponses, sendList } from '../../formats/list.js';
import {
  badParameter,
  conflict,
  HttpProblem,
  notFound,
  type ProblemFieldError,
  unprocessable,
} from '../../lib/problem.js';
import { bearerAuth, ifMatchHeaders, postHeaders, readResponses, writeResponses } from '../../lib/responses.js';
import { ISO_3166_1_SOURCE, ownNameRows, syncOwnNames } from '../../db/names.js';
import { applyEdit, keepOldName, lockForEdit, revisionTag } from '../edits/edits.service.js';
import { derivedId, searchKey } from '../../lib/slug.js';
import { countryElectionListQuery, electionList } from '../elections/elections.schemas.js';
import { electionColumns, electionListing } from '../elections/elections.view.js';
import {
  identifierCell,
  type Identifier,
  isoIdentifier,
  lookUp,
  narrowedTo,
} from '../identifiers/identifiers.repository.js';
import type { StoredName } from '../names/names.repository.js';
import { localise } from '../names/names.view.js';
import { requireSource } from '../sources/sources.repository.js';
import { areaWithIsoCode, type AreaRow, type AreaFilter, findArea, insertArea, listAreas } from './areas.repository.js';
import { areaLevel } from '../../db/schema/index.js';
import {
  areaCreateBody,
  areaDetailQuery,
  areaList,
  areaListQuery,
  areaParams,
  areaPatchBody,
  areaSchema,
} from './areas.schemas.js';

type AreaWithIds = AreaRow & { identifiers: Identifier[]; shownName?: string; names?: StoredName[] };

/** The areas with their names in the language asked for (`shownName`), and every name with names=all. */
async function localiseAreas(
  request: FastifyRequest,
  reply: FastifyReply,
  rows: AreaWithIds[],
  query: { lang?: string | undefined; names?: 'all' | undefined },
): Promise<AreaWithIds[]> {
  const shown = await localise(
    request,
    reply,
    'area',
    rows.map((r) => ({ ...r, name: r.area.name })),
    (r) => r.area.id,
    query,
  );
  return shown.map(({ name, ...r }) => ({ ...r, shownName: name }));
}

/** The area's source; null for a country's own area (the left join finds none). */
const sourceOf = ({ source }: Pick<AreaRow, 'source'>) => (source && source.id !== null ? source : null);

const toArea = ({ area: a, source, identifiers, shownName, names }: AreaWithIds) => ({
  id: a.id,
  countryCode: a.countryCode,
  parentId: a.parentId,
  level: a.level,
  name: shownName ?? a.name,
  isoCode: a.isoCode,
  authorityCode: a.authorityCode,
  validFrom: a.validFrom,
  validTo: a.validTo,
  note: a.note,
  source: sourceOf({ source }),
  identifiers,
  ...(names ? { names } : {}),
});

const areaColumns = [
  'id',
  'countryCode',
  'parentId',
  'level',
  'name',
  'isoCode',
  'authorityCode',
  'validFrom',
  'validTo',
  'note',
  'sourceId',
  'identifiers',
] as const;

const areaListing = (
  db: Db,
  filter: Omit<AreaFilter, 'after' | 'limit'>,
  only?: string | null,
  shown: (rows: AreaWithIds[]) => Promise<AreaWithIds[]> = async (rows) => rows,
): Listing<AreaWithIds, [string], ReturnType<typeof toArea>> => ({
  fetch: async (after, limit) => {
    const rows = await narrowedTo(
      only,
      (after: [string] | undefined, limit) => listAreas(db, { ...filter, after: after?.[0], limit }),
      (id) => findArea(db, id),
    )(after, limit);
    return shown(withAreaIdentifiers(rows));
  },
  key: (r) => [r.area.id],
  item: toArea,
  csv: {
    filename: 'areas.csv',
    columns: areaColumns,
    row: (r) => ({ ...toArea(r), sourceId: r.source?.id ?? null, identifiers: identifierCell(r.identifiers) }),
  },
});

/** The areas with their identifiers (a column of their statement), then the ISO 3166-2 code they hold. */
function withAreaIdentifiers(rows: AreaRow[]): AreaWithIds[] {
  return rows.map((r) =>
    r.area.isoCode === null ? r : { ...r, identifiers: [...r.identifiers, isoIdentifier(r.area.isoCode, sourceOf(r))] },
  );
}

const areaWithIds = (row: AreaRow): AreaWithIds => withAreaIdentifiers([row])[0]!;

/** From the largest to the smallest: an area's level is below its parent's. */
const LEVELS = areaLevel.enumValues;

const isoCodes = new Map(iso31662.map((s) => [s.code, s.parent]));

async function requireArea(db: Db, id: string): Promise<AreaRow> {
  const row = await findArea(db, id);
  if (!row) throw notFound(`Area ${id} not found.`);
  return row;
}

export const areasRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/areas',
    {
      schema: {
        operationId: 'listAreas',
        tags: ['areas'],
        summary: 'List or search areas',
        description:
          'Reporting units from the country down: regions, cities, districts, polling stations, each with its ' +
          'codes and the dates it existed. Ordered by id.',
        querystring: areaListQuery,
        response: listResponses('One page of areas.', areaList, areaColumns, 400, 503),
      },
    },
    async (request, reply) => {
      const { q, parent, wikidata, identifier, lang, names, ...filter } = request.query;
      const key = q === undefined ? undefined : searchKey(q);
      if (key === '') throw badParameter('query', 'q', 'must contain at least one letter or digit');
      if (parent && !(await findArea(request.db, parent)))
        throw badParameter('query', 'parent', `no area has the id '${parent}'`);
      return sendList(
        request,
        reply,
        request.query,
        areaListing(
          request.db,
          { ...filter, parent, key, isoCode: q?.toUpperCase() },
          await lookUp(request.db, 'area', { wikidata, identifier, updatedSince: filter.updatedSince }),
          (rows) => localiseAreas(request, reply, rows, { lang, names }),
        ),
      );
    },
  );

  app.get(
    '/areas/:id',
    {
      schema: {
        operationId: 'getArea',
        tags: ['areas'],
        summary: 'Get an area',
        description:
          'A reporting unit (a country, region, city, district or polling station) with its parent, level, ' +
          'ISO 3166-2 and electoral authority codes, and the days it existed.',
        params: areaParams,
        querystring: areaDetailQuery,
        response: readResponses('The area.', areaSchema, 400, 404, 503),
      },
    },
    async (request, reply) => {
      const row = areaWithIds(await requireArea(request.db, request.params.id));
      reply.revisionTag(revisionTag(row.area.revision));
      return toArea((await localiseAreas(request, reply, [row], request.query))[0]!);
    },
  );

  app.get(
    '/areas/:id/elections',
    {
      schema: {
        operationId: 'listAreaElections',
        tags: ['areas', 'elections'],
        summary: "An area's elections",
        description:
          "The elections of the area's country held while the area existed, with the filters of /v1/elections; " +
          'their results for the area are at /v1/elections/{id}/results?area={area}.',
        params: areaParams,
        querystring: countryElectionListQuery,
        response: listResponses("One page of the area's elections.", electionList, electionColumns, 400, 404, 503),
      },
    },
    async (request, reply) => {
      const { area } = await requireArea(request.db, request.params.id);
      const from = [request.query.from, area.validFrom]
        .filter((d): d is string => !!d)
        .sort()
        .at(-1);
      const to = [request.query.to, area.validTo]
        .filter((d): d is string => !!d)
        .sort()
        .at(0);
      const filter = { ...request.query, country: area.countryCode, from, to };
      return sendList(request, reply, request.query, electionListing(request.db, filter));
    },
  );

  app.post(
    '/areas',
    {
      schema: {
        operationId: 'createArea',
        tags: ['areas'],
        summary: 'Add an area',
        description: 'A reporting unit within an existing one. 409 when the id is taken.',
        security: bearerAuth,
        headers: postHeaders,
        body: areaCreateBody,
        response: writeResponses(201, 'The area, at the URL in Location.', areaSchema, 404, 409),
      },
    },
    async (request, reply) => {
      const { id: givenId, parentId, ...fields } = request.body;
      return app.write(request, reply, { action: 'create', resourceType: 'area' }, async (tx) => {
        await requireSource(tx, fields.sourceId, 'sourceId');
        const parent = await findArea(tx, parentId);
        if (!parent)
          throw new HttpProblem(404, `parentId: no area has the id '${parentId}'.`, [
            { in: 'body', name: 'parentId', message: `no area has the id '${parentId}'` },
          ]);
        const countryCode = parent.area.countryCode;
        const id = givenId ?? `${countryCode.toLowerCase()}-${derivedId(fields.name)}`;
        const errors = [
          ...(fields.isoCode !== null && isoCodes.get(fields.isoCode) !== countryCode
            ? [{ in: 'body' as const, name: 'isoCode', message: `is not an ISO 3166-2 code of ${countryCode}` }]
            : []),
          ...(fields.validFrom && fields.validTo && fields.validFrom > fields.validTo
            ? [{ in: 'body' as const, name: 'validTo', message: `must be on or after validFrom (${fields.validFrom})` }]
            : []),
          ...(LEVELS.indexOf(fields.level) <= LEVELS.indexOf(parent.area.level)
            ? [
                {
                  in: 'body' as const,
                  name: 'level',
                  message: `must be below its parent's level (${parent.area.level}): one of ${LEVELS.slice(LEVELS.indexOf(parent.area.level) + 1).join(', ')}`,
                },
              ]
            : []),
          ...(!id.startsWith(`${countryCode.toLowerCase()}-`)
            ? [
                {
                  in: 'body' as const,
                  name: 'id',
                  message: `must start with '${countryCode.toLowerCase()}-', its country`,
                },
              ]
            : []),
        ];
        if (errors.length) throw unprocessable(errors);
        if (await findArea(tx, id)) throw conflict(`An area with id '${id}' exists; pass another id.`);
        if (fields.isoCode !== null && (await areaWithIsoCode(tx, fields.isoCode)))
          throw conflict(
            `An area with ISO code ${fields.isoCode} exists: ${await areaWithIsoCode(tx, fields.isoCode)}.`,
          );
        await insertArea(tx, { id, parentId, countryCode, ...fields });
        const row = areaWithIds((await findArea(tx, id))!);
        return { status: 201, body: toArea(row), location: `/v1/areas/${id}`, resourceId: id };
      });
    },
  );

  app.patch(
    '/areas/:id',
    {
      schema: {
        operationId: 'updateArea',
        tags: ['areas'],
        summary: "Change an area's details",
        description:
          'Needs If-Match with the ETag of your last GET of the area: if anyone changed it since, the answer ' +
          'is 412 and nothing is written. Its parent and level stay as they are.',
        security: bearerAuth,
        params: areaParams,
        headers: ifMatchHeaders,
        body: areaPatchBody,
        response: writeResponses(200, 'The area as changed, with its new ETag.', areaSchema, 404, 409, 412, 428),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const changes = request.body;
      return app.write(request, reply, { action: 'update', resourceType: 'area' }, async (tx) => {
        await lockForEdit(tx, 'area', id, request.headers['if-match']);
        const { area, source } = (await findArea(tx, id))!;
        if (changes.sourceId) await requireSource(tx, changes.sourceId, 'sourceId');
        const after = { ...area, ...changes };
        const errors: ProblemFieldError[] = [];
        if (area.level === 'country')
          errors.push({ in: 'path', name: 'id', message: "is a country's own area, which follows ISO 3166-1" });
        if (changes.isoCode && isoCodes.get(changes.isoCode) !== area.countryCode)
          errors.push({ in: 'body', name: 'isoCode', message: `is not an ISO 3166-2 code of ${area.countryCode}` });
        if (after.validFrom && after.validTo && after.validFrom > after.validTo)
          errors.push({
            in: 'body',
            name: changes.validTo !== undefined ? 'validTo' : 'validFrom',
            message: `validFrom (${after.validFrom}) must be on or before validTo (${after.validTo})`,
          });
        if (errors.length) throw unprocessable(errors);
        if (changes.isoCode && changes.isoCode !== area.isoCode) {
          const holder = await areaWithIsoCode(tx, changes.isoCode);
          if (holder) throw conflict(`An area with ISO code ${changes.isoCode} exists: ${holder}.`);
        }
        const revision = await applyEdit(tx, 'area', id, changes);
        const sourceId = after.sourceId ?? ISO_3166_1_SOURCE;
        if (after.name !== area.name || after.sourceId !== area.sourceId)
          await syncOwnNames(tx, 'area', id, ownNameRows('area', id, after, sourceId));
        if (after.name !== area.name) await keepOldName(tx, 'area', id, area.name, source?.id ?? ISO_3166_1_SOURCE);
        const row = areaWithIds((await findArea(tx, id))!);
        return { status: 200, body: toArea(row), etag: revisionTag(revision), resourceId: id };
      });
    },
  );
};
