// npm run import -- <file.csv|file.json> [--dry-run]
// Validates the whole file first and reports every problem with its row (CSV) or path (JSON);
// then writes everything in one transaction, or nothing. Format: docs/import.md.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config.js';
import { databaseOptions, openDatabase } from '../db/client.js';
import { runImport } from '../import/import.js';
import { ImportError, planFromCsv, planFromJson } from '../import/plan.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'dry-run': { type: 'boolean', default: false } },
});
const file = positionals[0];
if (!file || positionals.length > 1) {
  console.error('usage: npm run import -- <file.csv|file.json> [--dry-run]');
  process.exit(2);
}

const started = performance.now();
const text = await readFile(file, 'utf8');
const config = loadConfig();
const database = await openDatabase(databaseOptions(config));
let exitCode = 0;
try {
  if (config.AUTO_MIGRATE) await database.migrate();
  const plan = extname(file).toLowerCase() === '.json' ? planFromJson(text) : planFromCsv(text);
  const bar =
    plan.lineCount >= 10_000 && !values['dry-run']
      ? new cliProgress.SingleBar(
          { format: 'importing [{bar}] {percentage}% {value}/{total} lines {eta_formatted}' },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(plan.lineCount, 0);
  const summary = await runImport(database.primary, plan, {
    dryRun: values['dry-run'],
    onProgress: (n) => bar?.update(n),
  });
  bar?.stop();
  const seconds = (performance.now() - started) / 1000;
  const verb = values['dry-run'] ? 'would import (dry run, nothing written)' : 'imported';
  const { created, kept } = summary;
  console.log(
    `${verb}: ${summary.versions} result versions, ${summary.lines} lines; ` +
      `new ${created.elections} elections, ${created.contests} contests, ${created.areas} areas, ` +
      `${created.candidates} candidates, ${created.organisations} organisations, ${created.sources} sources ` +
      `(kept as they were: ${kept.elections} elections, ${kept.contests} contests, ${kept.areas} areas, ` +
      `${kept.candidates} candidates, ${kept.organisations} organisations, ${kept.sources} sources) ` +
      `in ${seconds.toFixed(1)} s (${Math.round(summary.lines / seconds)} lines/s)`,
  );
} catch (err) {
  if (!(err instanceof ImportError)) throw err;
  console.error(`${file}: nothing was imported; ${err.problems.length} problem(s):`);
  for (const p of err.problems) console.error(`  ${p.where}: ${p.message}`);
  exitCode = 1;
} finally {
  await database.close();
}
process.exit(exitCode);
