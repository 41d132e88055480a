// CSV (RFC 4180) into rows of cells for the import, by csv-parse: a leading BOM dropped, empty
// lines skipped, every row as wide as the header. A syntax error becomes a CsvSyntaxError naming
// the line, in words an editor can act on.
import { CsvError, parse } from 'csv-parse/sync';

export class CsvSyntaxError extends Error {}

function explain(err: CsvError): string {
  const line = (err as CsvError & { lines?: number }).lines;
  const where = line === undefined ? '' : `line ${line}: `;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `${where}a quoted cell is never closed`;
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const expected = /expect (\d+), got (\d+)/.exec(err.message);
      return expected ? `${where}${expected[2]} cells where the header has ${expected[1]}` : `${where}${err.message}`;
    }
    default:
      return err.message;
  }
}

/** The rows of `text`; throws a CsvSyntaxError naming the line of the first malformed one. */
export function csvRows(text: string): string[][] {
  try {
    const rows: string[][] = parse(text, { bom: true, skip_empty_lines: true });
    return rows;
  } catch (err) {
    if (err instanceof CsvError) throw new CsvSyntaxError(explain(err));
    throw err;
  }
}
