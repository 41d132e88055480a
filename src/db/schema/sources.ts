import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { sourceKind } from './enums.js';

export const sources = pgTable('sources', {
  id: text('id').primaryKey(),
  publisher: text('publisher').notNull(),
  title: text('title'),
  url: text('url'),
  // ISO 8601 date or date-time, as precise as the source states it; null when it does not.
  published: text('published'),
  kind: sourceKind('kind').notNull(),
  language: text('language'),
  note: text('note'),
  // The terms its figures may be reused under, as the source states them (an SPDX id such as
  // CC-BY-4.0, or the source's own words); null when not recorded.
  terms: text('terms'),
  termsUrl: text('terms_url'),
  // The credit line the source asks reusers to print; null: none stated.
  attribution: text('attribution'),
  // Bumped by every PATCH: the revision part of the ETag that If-Match checks.
  revision: integer('revision').notNull().default(1),
});
