import { Readable } from 'node:stream';
import { CsvError, parse, type CsvErrorCode } from 'csv-parse';
import { AppError, validationError } from '../../../lib/errors.js';

/** One record of the file and the line it starts on (the header is line 1). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/** A CSV file read into its header and records. */
export interface CsvTable {
  delimiter: string;
  header: string[];
  records: CsvRecord[];
}

/** What a file may hold: its data records (the header not counted). */
export interface CsvBounds {
  maxRows: number;
}

// Strong writes `;` in locales whose decimal separator is a comma; tabs come from spreadsheets.
const DELIMITERS = [',', ';', '\t'] as const;
// Parsed in slices so a large file does not hold the event loop for its whole length.
const SLICE_BYTES = 64 * 1024;
// No export has a record near this; a longer one is not a workout row.
const MAX_RECORD_BYTES = 64 * 1024;

/** A file with more data records than allowed: 413, as the size limit answers. */
export const tooManyRows = (maxRows: number) =>
  new AppError(
    413,
    'PAYLOAD_TOO_LARGE',
    'Payload too large',
    `The file has more than ${maxRows} rows; split it and import the parts one after another.`,
  );

const notCsv = (detail: string) =>
  validationError(`The body is not a CSV file: ${detail}`, [{ path: 'body', message: detail }]);

/** The header line's cells, without quotes, for each delimiter the line could be split on. */
export function headerCandidates(text: string): { delimiter: string; header: string[] }[] {
  const firstLine = (/^[^\r\n]*/.exec(text.replace(/^\uFEFF/, ''))?.[0] ?? '').trim();
  return DELIMITERS.filter((delimiter) => firstLine.includes(delimiter)).map((delimiter) => ({
    delimiter,
    header: firstLine.split(delimiter).map((cell) => cell.trim().replace(/^"(.*)"$/, '$1')),
  }));
}

const csvProblems: Partial<Record<CsvErrorCode, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by other characters',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a closing quote is followed by other characters',
  CSV_MAX_RECORD_SIZE: 'a record is longer than 64 KiB',
  INVALID_OPENING_QUOTE: 'a quote appears inside a field that does not start with one',
};

/** Line breaks inside a record's quoted fields, to find the line the record started on. */
const lineBreaksIn = (cells: string[]) =>
  cells.reduce((count, cell) => count + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0);

/**
 * Reads RFC 4180 CSV (quoted fields may hold delimiters, quotes and line breaks; a byte-order
 * mark is dropped; blank lines are skipped) with the given delimiter. More than `maxRows` data
 * records is a 413; text that is not CSV is a 400 naming the line.
 */
export async function readCsvTable(
  text: string,
  delimiter: string,
  bounds: CsvBounds,
): Promise<CsvTable> {
  if (text.includes('\u0000')) throw notCsv('it holds binary data (NUL bytes)');
  const parser = parse({
    delimiter,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: MAX_RECORD_BYTES,
  });
  const bytes = Buffer.from(text, 'utf8');
  const slices = function* () {
    for (let start = 0; start < bytes.length; start += SLICE_BYTES) {
      yield bytes.subarray(start, start + SLICE_BYTES);
    }
  };
  Readable.from(slices()).pipe(parser);

  let header: string[] | undefined;
  const records: CsvRecord[] = [];
  try {
    for await (const entry of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const { record, info } = entry;
      if (!header) {
        header = record.map((cell) => cell.trim());
        continue;
      }
      if (records.length === bounds.maxRows) throw tooManyRows(bounds.maxRows);
      records.push({ line: info.lines - lineBreaksIn(record), cells: record });
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const problem = csvProblems[error.code] ?? 'it cannot be read as CSV';
    throw notCsv(`${problem} (line ${String(error.lines)})`);
  }
  if (!header) throw notCsv('it is empty');
  return { delimiter, header, records };
}
