import type { FastifyInstance, InjectOptions } from 'fastify';
import { createKey, type Scope } from '../../src/db/api-keys.js';

/** A real key in the test's database; returns its bearer token. */
export async function tokenFor(app: FastifyInstance, scope: Scope = 'write', name = `${scope}-key-${Math.random()}`) {
  return (await createKey(app.database.primary, name, scope)).token;
}

export async function send(
  app: FastifyInstance,
  method: 'POST' | 'PATCH',
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await app.inject({ method, url, payload: body as InjectOptions['payload'], headers });
  return {
    status: res.statusCode,
    headers: res.headers,
    body: res.body
      ? res.json<Record<string, unknown> & { errors?: { in: string; name: string; message: string }[] }>()
      : null,
  };
}

export const bearer = (token: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${token}`,
  ...extra,
});

/** The 2022 certified lines as an editor would enter them (FACTS.md). */
export const certified2022Lines = [
  {
    candidateId: 'kassym-jomart-tokayev',
    nominatorId: 'peoples-coalition',
    votes: 6_456_393,
    percent: 81.31,
    rank: 1,
    outcome: 'elected',
  },
  { kind: 'against-all', label: 'Against all', votes: 460_484, percent: 5.8 },
  {
    candidateId: 'zhiguli-dairabayev',
    nominatorId: 'auyl-party',
    votes: 271_641,
    percent: 3.42,
    rank: 2,
    outcome: 'defeated',
  },
  {
    candidateId: 'karakat-abden',
    nominatorId: 'national-alliance-of-professional-social-workers',
    votes: 206_206,
    percent: 2.6,
    rank: 3,
    outcome: 'defeated',
  },
  {
    candidateId: 'meiram-kazhyken',
    nominatorId: 'amanat-commonwealth-of-trade-unions',
    votes: 200_907,
    percent: 2.53,
    rank: 4,
    outcome: 'defeated',
  },
  {
    candidateId: 'nurlan-auesbayev',
    nominatorId: 'national-social-democratic-party',
    votes: 176_116,
    percent: 2.22,
    rank: 5,
    outcome: 'defeated',
  },
  {
    candidateId: 'saltanat-tursynbekova',
    nominatorId: 'qazaq-analary-dasturge-zhol',
    votes: 168_731,
    percent: 2.12,
    rank: 6,
    outcome: 'defeated',
  },
];

export const certified2022 = {
  status: 'certified',
  asOf: '2022-11-22',
  complete: true,
  sourceId: 'kazinform-2022-cec-final-results',
  turnout: { registeredVoters: 11_953_465, ballotsCast: 8_300_046, turnoutPercent: 69.44 },
  percentBase: 'lines-total',
  lines: certified2022Lines,
};
