import { fileTypeFromBuffer } from 'file-type';
import { fieldErrorsOf } from '../../lib/zod.js';
import type { WallTime } from '../workout-logs/index.js';
import { parseInBodyCsv, type InBodyRow } from './inbody-csv.parser.js';
import {
  unreadableScanFile,
  unsupportedScanFile,
  unusableScan,
  type MassUnit,
} from './scan-file.errors.js';
import { scanJsonDocumentSchema } from './scans.schemas.js';

/** One measurement read from an upload, before the member's zone, profile and ranges apply. */
export interface ScanReading {
  format: 'inbody-csv' | 'json';
  /** The media type the raw file is stored under. */
  contentType: 'text/csv' | 'application/json';
  /** A wall-clock time (InBody exports) or an instant (JSON, ISO cells). */
  measuredAt: WallTime | Date;
  values: Record<string, unknown>;
  /** Where each field came from, for errors: `file:line 3, column "Weight(kg)"` or `file.weightKg`. */
  locations: Record<string, string>;
}

/**
 * Reads an upload: text (UTF-8 with or without a byte-order mark, UTF-16 with one, else
 * Windows-1252, which is what older LookinBody installs write) that is a JSON document when it
 * starts with `{` and an InBody CSV export otherwise. A binary file is 415.
 *
 * A CSV export lists every test of the member, one row each; only the **newest** becomes the
 * scan. Re-uploading next month's export would otherwise repeat each earlier test as a new
 * body-composition entry.
 */
export async function readScanFile(bytes: Buffer, massUnit: MassUnit): Promise<ScanReading> {
  const text = await decodeText(bytes);
  if (text.trimStart().startsWith('{')) return readJson(text);
  const rows = parseInBodyCsv(text, { massUnit });
  const newest = rows.reduce((best, row) => (instantKey(row) > instantKey(best) ? row : best));
  const { measuredAt, locations, ...values } = newest;
  // The line is in the locations already; it is not a measurement.
  delete (values as Partial<InBodyRow>).line;
  return { format: 'inbody-csv', contentType: 'text/csv', measuredAt, values, locations };
}

/** Orders rows by their time; wall times of one file share a zone, so they compare as UTC. */
function instantKey(row: InBodyRow): number {
  const at = row.measuredAt;
  if (at instanceof Date) return at.getTime();
  return Date.UTC(at.year, at.month - 1, at.day, at.hour, at.minute, at.second);
}

async function decodeText(bytes: Buffer): Promise<string> {
  if (bytes.length === 0) {
    throw unreadableScanFile('The file is empty.', [{ path: 'file', message: 'is empty' }]);
  }
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    throw unsupportedScanFile(
      `The file is ${detected.mime} (.${detected.ext}); upload the InBody export as CSV, or a JSON document.`,
    );
  }
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le').decode(bytes);
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder('utf-16be').decode(bytes);
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = new TextDecoder('windows-1252').decode(bytes);
    }
  }
  if (text.includes('\u0000')) {
    throw unsupportedScanFile(
      'The file holds binary data; upload a CSV export or a JSON document.',
    );
  }
  return text.replace(/^\uFEFF/, '');
}

function readJson(text: string): ScanReading {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const where = error instanceof SyntaxError ? error.message : 'syntax error';
    throw unreadableScanFile('The file starts like JSON but is not valid JSON.', [
      { path: 'file', message: where.slice(0, 200) },
    ]);
  }
  const parsed = scanJsonDocumentSchema.safeParse(json);
  if (!parsed.success) {
    throw unusableScan(
      'The JSON document does not match the scan document schema.',
      fieldErrorsOf(parsed.error, 'file').errors,
    );
  }
  const { measuredAt, ...values } = parsed.data;
  const locations = Object.fromEntries(
    ['measuredAt', ...Object.keys(values)].map((key) => [key, `file.${key}`]),
  );
  return {
    format: 'json',
    contentType: 'application/json',
    measuredAt: new Date(measuredAt),
    values,
    locations,
  };
}
