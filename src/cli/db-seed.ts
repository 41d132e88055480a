// npm run db:seed: loads countries and seeds/*.json; idempotent (rows already there are kept).
import { loadConfig } from '../config.js';
import { databaseOptions, openDatabase } from '../db/client.js';
import { seed } from '../db/seed.js';

const config = loadConfig();
const database = await openDatabase(databaseOptions(config));
try {
  await seed(database.primary);
  console.log(`seeded (${database.engine})`);
} finally {
  await database.close();
}
