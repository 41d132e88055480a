import type { Db } from './client.js';
import { dataVersion } from './schema/index.js';

/** The counter every write to a data table bumps (migration 0003): 0 before the first. */
export async function readDataVersion(db: Db): Promise<number> {
  const [row] = await db.select({ version: dataVersion.version }).from(dataVersion);
  return row?.version ?? 0;
}
