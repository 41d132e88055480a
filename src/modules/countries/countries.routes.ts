import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../../db/client.js';
import { type Listing, listResponses, sendList } from '../../formats/list.js';
import { notFound } from '../../lib/problem.js';
import { readResponses } from '../../lib/responses.js';
import { countryElectionListQuery, electionList } from '../elections/elections.schemas.js';
import { electionColumns, electionListing } from '../elections/elections.view.js';
import { type CountryRow, findCountry, listCountries } from './countries.repository.js';
import { countryList, countryListQuery, countryParams, countrySchema } from './countries.schemas.js';

async function requireCountry(db: Db, code: string): Promise<CountryRow> {
  const row = await findCountry(db, code);
  if (!row) throw notFound(`Country ${code} is not in the database.`);
  return row;
}

const countryColumns = ['code', 'alpha3', 'numeric', 'name', 'ocdId'] as const;

/** Every country, in keyset order. */
const countryListing = (db: Db): Listing<CountryRow, [string]> => ({
  fetch: (after, limit) => listCountries(db, { after: after?.[0], limit }),
  key: (r) => [r.code],
  csv: { filename: 'countries.csv', columns: countryColumns },
});

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
        response: listResponses('One page of countries.', countryList, countryColumns, 400, 503),
      },
    },
    (request, reply) => sendList(request, reply, request.query, countryListing(request.db)),
  );

  app.get(
    '/countries/:code',
    {
      schema: {
        operationId: 'getCountry',
        tags: ['countries'],
        summary: 'Get a country by alpha-2 or alpha-3 code',
        description:
          'Any case (KZ, kz, KAZ): the answer always gives the alpha-2 code, alpha-3, numeric code, name and ' +
          'OCD division id. A code that is not ISO 3166-1 is a 400; one not in the database, a 404.',
        params: countryParams,
        response: readResponses('The country.', countrySchema, 400, 404, 503),
      },
    },
    async (request) => {
      return requireCountry(request.db, request.params.code);
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
        response: listResponses("One page of the country's elections.", electionList, electionColumns, 400, 404, 503),
      },
    },
    async (request, reply) => {
      const { code } = await requireCountry(request.db, request.params.code);
      return sendList(request, reply, request.query, electionListing(request.db, { ...request.query, country: code }));
    },
  );
};
