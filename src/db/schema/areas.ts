import { type AnyPgColumn, char, date, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { countries } from './countries.js';
import { areaLevel } from './enums.js';
import { sources } from './sources.js';

// A reporting unit: the country, its regions and cities, districts, polling stations. Areas are
// created and merged (Kazakhstan's Abai, Zhetysu and Ulytau regions date from 8 June 2022), so
// each has the dates it existed between, when a source gives them.
export const areas = pgTable(
  'areas',
  {
    // Readable and stable: the country's is its ISO code in lower case ("kz"), the others
    // "{country}-{slug of the English name}" ("kz-abai", "kz-almaty-city").
    id: text('id').primaryKey(),
    countryCode: char('country_code', { length: 2 })
      .notNull()
      .references(() => countries.code),
    parentId: text('parent_id').references((): AnyPgColumn => areas.id),
    level: areaLevel('level').notNull(),
    // English, as the sources print it.
    name: text('name').notNull(),
    // ISO 3166-2 code where one exists (checked against the iso-3166 package), e.g. KZ-10.
    isoCode: text('iso_code').unique(),
    // The electoral authority's own code (e.g. a polling station's number), when given.
    authorityCode: text('authority_code'),
    validFrom: date('valid_from', { mode: 'string' }),
    validTo: date('valid_to', { mode: 'string' }),
    note: text('note'),
    // Null only for a country's own area, made from ISO 3166-1.
    sourceId: text('source_id').references(() => sources.id),
    // Bumped by every PATCH: the revision part of the ETag that If-Match checks.
    revision: integer('revision').notNull().default(1),
  },
  (t) => [
    index('areas_parent_idx').on(t.parentId, t.id),
    index('areas_country_level_idx').on(t.countryCode, t.level, t.id),
  ],
);
