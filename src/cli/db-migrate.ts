// npm run db:migrate: applies the committed migrations to DATABASE_URL, or to the PGlite DATA_DIR.
import { loadConfig } from '../config.js';
import { databaseOptions, openDatabase } from '../db/client.js';

const config = loadConfig();
const database = await openDatabase(databaseOptions(config));
try {
  await database.migrate();
  console.log(`migrated (${database.engine})`);
} finally {
  await database.close();
}
