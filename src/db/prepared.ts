import type { Db } from './client.js';

/**
 * A statement built and prepared once per database handle, under a name: Drizzle builds its SQL
 * once instead of on every request, and PostgreSQL parses and plans a named statement once per
 * connection. A transaction is a handle of its own, so it gets a statement of its own (and reads
 * its own writes). `build` must give the same SQL every time: its parameters are placeholders.
 */
export function preparedPer<Statement>(build: (db: Db) => Statement): (db: Db) => Statement {
  const statements = new WeakMap<Db, Statement>();
  return (db) => {
    let statement = statements.get(db);
    if (!statement) {
      statement = build(db);
      statements.set(db, statement);
    }
    return statement;
  };
}
