// The main contest an election gets when none is named: the presidency, the party lists, the
// question. Migration 0009 gave existing elections the same.
import type { contests, elections } from './schema/index.js';

type ElectionType = (typeof elections.$inferSelect)['type'];

export function defaultMainContest(election: {
  id: string;
  type: ElectionType;
  countryCode: string;
  sourceId: string;
}): typeof contests.$inferInsert {
  const byType = {
    presidential: { slug: 'president', kind: 'candidate', name: 'President', seats: 1 },
    parliamentary: { slug: 'party-list', kind: 'party-list', name: 'Party lists', seats: null },
    referendum: { slug: 'question-1', kind: 'ballot-question', name: 'Question 1', seats: null },
    local: { slug: 'main', kind: 'candidate', name: 'Main contest', seats: null },
  } as const;
  return {
    ...byType[election.type],
    electionId: election.id,
    areaId: election.countryCode.toLowerCase(),
    main: true,
    sourceId: election.sourceId,
  };
}
