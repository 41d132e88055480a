import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound } from '../../lib/problem.js';
import { allRows, csvNotModified, sendCsv, wantsCsv, withCsv } from '../../lib/csv.js';
import { readResponses } from '../../lib/responses.js';
import { page } from '../../lib/pagination.js';
import { electionColumns, electionsResponse } from '../elections/elections.routes.js';
import { countryElectionListQuery, electionList } from '../elections/elections.schemas.js';
import { countryList, countryListQuery, countryParams, countrySchema } from './countries.schemas.js';
import { type CountryRow, findCountry, listCountries } from './countries.repository.js';

export const toCountry = (row: CountryRow) => ({
  code: row.code,
  alpha3: row.alpha3,
  numeric: row.numeric,
  name: row.name,
  ocdId: `ocd-division/country:${row.code.toLowerCase()}`,
});

const countryColumns = ['code', 'alpha3', 'numeric', 'name', 'ocdId'] as const;

export const countriesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/countries',
    {
      schema: {
        operationId: 'listCountries',
        tags: ['countries'],
        summary: 'List ISO 3166-1 countries',
        description: 'Every ISO 3166-1 country, ordered by alpha-2 code.',
        querystring: countryListQuery,
        response: withCsv(readResponses('One page of countries.', countryList, 400, 503), countryColumns),
      },
    },
    async (request, reply) => {
      if (wantsCsv(request)) {
        if (await csvNotModified(app.db, request, reply)) return reply;
        return sendCsv(
          reply,
          'countries.csv',
          countryColumns,
          allRows(
            (after: string | undefined, limit) => listCountries(app.db, { after, limit }),
            (r) => r.code,
            toCountry,
          ),
        );
      }
      const { limit, cursor } = request.query;
      const rows = await listCountries(app.db, { after: cursor?.[0], limit: limit + 1 });
      return page(rows, limit, (r) => [r.code], toCountry);
    },
  );

  app.get(
    '/countries/:code',
    {
      schema: {
        operationId: 'getCountry',
        tags: ['countries'],
        summary: 'Get a country by alpha-2 or alpha-3 code',
        params: countryParams,
        response: readResponses('The country.', countrySchema, 400, 404, 503),
      },
    },
    async (request) => {
      const row = await findCountry(app.db, request.params.code);
      if (!row) throw notFound(`Country ${request.params.code} is not in the database.`);
      return toCountry(row);
    },
  );

  app.get(
    '/countries/:code/elections',
    {
      schema: {
        operationId: 'listCountryElections',
        tags: ['countries', 'elections'],
        summary: "A country's elections",
        description:
          'The same list and filters as /v1/elections?country={code}; 404 for a country not in the database.',
        params: countryParams,
        querystring: countryElectionListQuery,
        response: withCsv(
          readResponses("One page of the country's elections.", electionList, 400, 404, 503),
          electionColumns,
        ),
      },
    },
    async (request, reply) => {
      const { code } = request.params;
      if (!(await findCountry(app.db, code))) throw notFound(`Country ${code} is not in the database.`);
      return electionsResponse(app, request, reply, { ...request.query, country: code });
    },
  );
};
