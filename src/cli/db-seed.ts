// npm run db:seed: loads countries and seeds/*.json; idempotent (rows already there are kept).
import { databaseOptions } from '../app.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { seed } from '../db/seed.js';

const config = loadConfig();
const database = await openDatabase(databaseOptions(config));
try {
  await seed(database.db);
  console.log(`seeded (${database.engine})`);
} finally {
  await database.close();
}
