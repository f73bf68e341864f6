import { CsvError, parse } from 'csv-parse/sync';
import type { FieldError } from '../../lib/errors.js';
import type { WallTime } from '../workout-logs/index.js';
import { unreadableScanFile, unusableScan, type MassUnit } from './scan-file.errors.js';

/**
 * InBody CSV exports, as the two places members get them from write them:
 *
 * - the **InBody app / LookinBody Web** "Export data" CSV: a header such as
 *   `Date,Measurement device.,Weight(kg),Skeletal Muscle Mass(kg),Soft Lean Mass(kg),Body Fat
 *   Mass(kg),BMI(kg/m²),Percent Body Fat(%),Basal Metabolic Rate(kcal),InBody Score,Right Arm
 *   Lean Mass(kg),…,Visceral Fat Level(Level),Total Body Water(L),…` (44 columns), units in
 *   brackets (`(lb)` when the device is set to pounds), dates as `yyyyMMddHHmmss` wall-clock time,
 *   `-` for a figure the device did not measure, often a UTF-8 byte-order mark;
 * - the **Lookin'Body 120** desktop export: numbered headers without units
 *   (`"1. Name", "2. ID", "3. Height", … "14. Test Date / Time", "15. Weight", … "22. BFM (Body
 *   Fat Mass)", … "26. SMM (Skeletal Muscle Mass)", "29. BMI (Body Mass Index)", "32. PBF
 *   (Percent Body Fat)", "35. LBM of Right Arm", … "47. BMR (Basal Metabolic Rate)"`), a space
 *   after each comma, heights such as `5ft. 10.0in.` or `178.0cm`.
 *
 * European spreadsheets re-save them with `;` between fields and a decimal comma. Columns are
 * found by name (number prefix and unit dropped, case and spacing ignored), never by position.
 */

/** A CSV export's reading of one test (one row), before range checks. */
export interface InBodyRow {
  /** File line the row starts on (the header is line 1). */
  line: number;
  measuredAt: WallTime | Date;
  heightCm?: number;
  weightKg?: number;
  bodyFatPercentage?: number;
  bodyFatMassKg?: number;
  skeletalMuscleMassKg?: number;
  leanBodyMassKg?: number;
  totalBodyWaterKg?: number;
  visceralFatLevel?: number;
  basalMetabolicRateKcal?: number;
  bmi?: number;
  segmentalLeanMassKg?: Partial<Record<Segment, number>>;
  /** Where each value came from (`file:line 3, column "Weight(kg)"`), by its field path. */
  locations: Record<string, string>;
}

type Segment = 'leftArm' | 'rightArm' | 'trunk' | 'leftLeg' | 'rightLeg';

/** How one column's cells become a field of InBodyRow. */
type ColumnKind =
  | { field: 'date' }
  | { field: 'person' }
  | { field: 'height' }
  | { field: 'mass'; target: MassField }
  | { field: 'segment'; segment: Segment }
  | {
      field: 'plain';
      target: 'bodyFatPercentage' | 'visceralFatLevel' | 'basalMetabolicRateKcal' | 'bmi';
    };

type MassField =
  'weightKg' | 'bodyFatMassKg' | 'skeletalMuscleMassKg' | 'leanBodyMassKg' | 'totalBodyWaterKg';

const segmentNames: Record<string, Segment> = {
  'right arm': 'rightArm',
  'left arm': 'leftArm',
  trunk: 'trunk',
  'right leg': 'rightLeg',
  'left leg': 'leftLeg',
};

/** Column names (normalised) of both export layouts and what each holds. */
const columns: Record<string, ColumnKind> = {
  date: { field: 'date' },
  'test date / time': { field: 'date' },
  'test date/time': { field: 'date' },
  'test date': { field: 'date' },
  id: { field: 'person' },
  name: { field: 'person' },
  height: { field: 'height' },
  weight: { field: 'mass', target: 'weightKg' },
  'body fat mass': { field: 'mass', target: 'bodyFatMassKg' },
  'bfm (body fat mass)': { field: 'mass', target: 'bodyFatMassKg' },
  'skeletal muscle mass': { field: 'mass', target: 'skeletalMuscleMassKg' },
  'smm (skeletal muscle mass)': { field: 'mass', target: 'skeletalMuscleMassKg' },
  'lean body mass': { field: 'mass', target: 'leanBodyMassKg' },
  'lbm (lean body mass)': { field: 'mass', target: 'leanBodyMassKg' },
  'fat free mass': { field: 'mass', target: 'leanBodyMassKg' },
  // Litres of water weigh a kilogram each; in a pounds export the column says (lb).
  'total body water': { field: 'mass', target: 'totalBodyWaterKg' },
  'tbw (total body water)': { field: 'mass', target: 'totalBodyWaterKg' },
  'percent body fat': { field: 'plain', target: 'bodyFatPercentage' },
  'pbf (percent body fat)': { field: 'plain', target: 'bodyFatPercentage' },
  'visceral fat level': { field: 'plain', target: 'visceralFatLevel' },
  'basal metabolic rate': { field: 'plain', target: 'basalMetabolicRateKcal' },
  'bmr (basal metabolic rate)': { field: 'plain', target: 'basalMetabolicRateKcal' },
  bmi: { field: 'plain', target: 'bmi' },
  'bmi (body mass index)': { field: 'plain', target: 'bmi' },
  ...Object.fromEntries(
    Object.entries(segmentNames).flatMap(([name, segment]) => [
      [`${name} lean mass`, { field: 'segment', segment } as const],
      [`lbm of ${name}`, { field: 'segment', segment } as const],
    ]),
  ),
};

/** Units a header may carry in brackets; anything else in brackets is part of the name. */
const UNIT_PATTERN = /\s*[([]\s*(kg|lbs?|%|l|level|kcal|kg\/m²|kg\/m2|cm|in|ft)\s*[)\]]$/i;
const KG_PER_LB = 0.45359237;
const CM_PER_INCH = 2.54;
const MAX_ROWS = 5_000;

interface HeaderColumn {
  index: number;
  header: string;
  kind: ColumnKind;
  unit?: string;
}

/** What a header cell says: its normalised name and its unit, if it gives one. */
export function readHeader(cell: string): { name: string; unit?: string } {
  let name = cell
    .replace(/^\uFEFF/, '')
    .trim()
    .replace(/^\d+\s*[.)]\s*/, '');
  const unit = UNIT_PATTERN.exec(name)?.[1]?.toLowerCase();
  if (unit) name = name.replace(UNIT_PATTERN, '');
  name = name.toLowerCase().replace(/\s+/g, ' ').trim();
  return unit ? { name, unit } : { name };
}

/** Options the uploader gives with the file. */
export interface InBodyCsvOptions {
  /** The unit of mass columns whose header names none (Lookin'Body 120 writes no units). */
  massUnit: MassUnit;
}

/**
 * Reads an InBody CSV export into its rows (newest not chosen yet). Throws 400 when the text is
 * not CSV and 422, naming the line and column, when a needed column is missing or a cell cannot
 * be read.
 */
export function parseInBodyCsv(text: string, options: InBodyCsvOptions): InBodyRow[] {
  const body = text.replace(/^\uFEFF/, '');
  const delimiter = delimiterOf(body);
  // A `;` file comes from a spreadsheet in a decimal-comma locale.
  const decimalComma = delimiter === ';';
  const records = readRecords(body, delimiter);
  const [header, ...rows] = records;
  if (!header || rows.length === 0) {
    throw unusableScan('The file has no measurement rows under its header.', [
      { path: 'file', message: 'holds no rows of results' },
    ]);
  }
  if (rows.length > MAX_ROWS) {
    throw unusableScan(`The file has more than ${MAX_ROWS} rows; export one member's results.`, [
      { path: 'file', message: `more than ${MAX_ROWS} rows` },
    ]);
  }
  const layout = layoutOf(header.cells);
  assertOnePerson(layout, rows);
  return rows.map((row) => readRow(row, layout, { decimalComma, massUnit: options.massUnit }));
}

interface CsvLine {
  line: number;
  cells: string[];
}

function delimiterOf(text: string): string {
  const firstLine = /^[^\r\n]*/.exec(text)?.[0] ?? '';
  const count = (char: string) => firstLine.split(char).length - 1;
  const candidates = [';', '\t', ','].map((char) => ({ char, count: count(char) }));
  const best = candidates.reduce((a, b) => (b.count > a.count ? b : a));
  return best.count > 0 ? best.char : ',';
}

function readRecords(text: string, delimiter: string): CsvLine[] {
  try {
    const records = parse(text, {
      delimiter,
      info: true,
      ltrim: true,
      rtrim: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      max_record_size: 64 * 1024,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map(({ record, info }) => ({
      line:
        info.lines - record.reduce((n, cell) => n + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0),
      cells: record,
    }));
  } catch (error) {
    if (error instanceof CsvError) {
      throw unreadableScanFile(`The file is not readable CSV near line ${String(error.lines)}.`, [
        {
          path: `file:line ${String(error.lines)}`,
          message: 'is not valid CSV (check its quotes)',
        },
      ]);
    }
    throw error;
  }
}

interface Layout {
  date: HeaderColumn;
  person: HeaderColumn[];
  values: HeaderColumn[];
}

function layoutOf(headerCells: string[]): Layout {
  const found: HeaderColumn[] = [];
  headerCells.forEach((header, index) => {
    const { name, unit } = readHeader(header);
    const kind = columns[name];
    if (kind) found.push({ index, header: header.trim(), kind, ...(unit && { unit }) });
  });
  const date = found.find((column) => column.kind.field === 'date');
  const missing: FieldError[] = [];
  if (!date)
    missing.push({ path: 'file:line 1', message: 'has no date column (Date or Test Date / Time)' });
  for (const target of ['weightKg', 'skeletalMuscleMassKg'] as const) {
    if (!found.some((column) => column.kind.field === 'mass' && column.kind.target === target)) {
      missing.push({ path: 'file:line 1', message: `has no ${columnTitles[target]} column` });
    }
  }
  const hasFat = found.some(
    (column) =>
      (column.kind.field === 'plain' && column.kind.target === 'bodyFatPercentage') ||
      (column.kind.field === 'mass' && column.kind.target === 'bodyFatMassKg'),
  );
  if (!hasFat) {
    missing.push({
      path: 'file:line 1',
      message: 'has no Percent Body Fat or Body Fat Mass column',
    });
  }
  if (!date || missing.length > 0) {
    throw unusableScan(
      'The file is not an InBody export: the header lacks columns a scan needs.',
      missing,
    );
  }
  return {
    date,
    person: found.filter((column) => column.kind.field === 'person'),
    values: found.filter(
      (column) => column.kind.field !== 'date' && column.kind.field !== 'person',
    ),
  };
}

/** A file holding several members' results must not become one member's scan. */
function assertOnePerson(layout: Layout, rows: CsvLine[]): void {
  for (const column of layout.person) {
    const seen = new Set(
      rows.map((row) => (row.cells[column.index] ?? '').trim()).filter((v) => v && v !== '-'),
    );
    if (seen.size > 1) {
      throw unusableScan('The file holds the results of several people; export one member’s.', [
        { path: `file:column "${column.header}"`, message: 'has more than one person' },
      ]);
    }
  }
}

const columnTitles: Record<MassField | 'bodyFatPercentage', string> = {
  weightKg: 'Weight',
  bodyFatMassKg: 'Body Fat Mass',
  skeletalMuscleMassKg: 'Skeletal Muscle Mass',
  leanBodyMassKg: 'Lean Body Mass',
  totalBodyWaterKg: 'Total Body Water',
  bodyFatPercentage: 'Percent Body Fat',
};

interface CellContext {
  decimalComma: boolean;
  massUnit: MassUnit;
}

function readRow(row: CsvLine, layout: Layout, context: CellContext): InBodyRow {
  const where = (column: HeaderColumn) =>
    `file:line ${String(row.line)}, column "${column.header}"`;
  const cell = (column: HeaderColumn) => (row.cells[column.index] ?? '').trim();
  const measuredAt = readDate(cell(layout.date));
  if (!measuredAt) {
    throw unusableScan(`Line ${String(row.line)} has a date that cannot be read.`, [
      {
        path: where(layout.date),
        message: 'must be a date such as 20260301083000, 2026.03.01 08:30 or 2026-03-01T08:30:00Z',
      },
    ]);
  }
  const result: InBodyRow = {
    line: row.line,
    measuredAt,
    locations: { measuredAt: where(layout.date) },
  };
  for (const column of layout.values) {
    const raw = cell(column);
    if (raw === '' || raw === '-') continue;
    const value =
      column.kind.field === 'height'
        ? readHeight(raw, column.unit, context)
        : readNumber(raw, context);
    if (value === undefined) {
      throw unusableScan(`Line ${String(row.line)} has a value that is not a number.`, [
        { path: where(column), message: `"${raw.slice(0, 40)}" is not a number` },
      ]);
    }
    result.locations[assign(result, column, value, context.massUnit)] = where(column);
  }
  return result;
}

/** Puts the value in its field; answers the field's path. */
function assign(row: InBodyRow, column: HeaderColumn, value: number, fileUnit: MassUnit): string {
  const { kind } = column;
  const inKg = (mass: number) => {
    const unit =
      column.unit === 'lb' || column.unit === 'lbs' ? 'lb' : column.unit ? 'kg' : fileUnit;
    return round(unit === 'lb' ? mass * KG_PER_LB : mass, 2);
  };
  switch (kind.field) {
    case 'height':
      row.heightCm = value;
      return 'heightCm';
    case 'mass':
      row[kind.target] = inKg(value);
      return kind.target;
    case 'segment':
      row.segmentalLeanMassKg = { ...row.segmentalLeanMassKg, [kind.segment]: inKg(value) };
      return `segmentalLeanMassKg.${kind.segment}`;
    case 'plain':
      row[kind.target] = value;
      return kind.target;
    default:
      // Date and person columns are read elsewhere and never reach here.
      return kind.field;
  }
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * A decimal in the file's notation: `80.4`, or `80,4` in a `;`-separated file. In a
 * comma-separated file a comma can only group thousands (`"1,650"`).
 */
export function readNumber(raw: string, context: { decimalComma: boolean }): number | undefined {
  let text = raw.replace(/\s+/g, '');
  if (text.length > 32) return undefined;
  if (context.decimalComma && /^-?\d+,\d+$/.test(text)) text = text.replace(',', '.');
  else if (text.includes(',')) {
    // Thousands grouping: 1–3 digits, then groups of exactly three.
    const [head = '', ...groups] = (text.split('.')[0] ?? '').split(',');
    if (!/^-?\d{1,3}$/.test(head) || !groups.every((group) => /^\d{3}$/.test(group))) {
      return undefined;
    }
    text = text.replaceAll(',', '');
  }
  if (!/^-?\d+\.?\d*$/.test(text) || text.endsWith('.')) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** `178`, `178.0cm`, `5ft. 10.0in.`, `70 in` (or a bare number under a `(in)` header) in cm. */
function readHeight(
  raw: string,
  unit: string | undefined,
  context: CellContext,
): number | undefined {
  const text = raw.toLowerCase().replace(/\s+/g, '');
  if (text.length > 32) return undefined;
  const inchesMarked = /in\.?$|"$/.test(text);
  const bare = text.replace(/in\.?$|"$|cm$/, '');
  const feetParts = bare.split(/ft\.?|'/);
  if (feetParts.length === 2) {
    const [feet = '', rest = ''] = feetParts;
    const inches = rest === '' ? 0 : readNumber(rest, { decimalComma: rest.includes(',') });
    if (!/^\d+$/.test(feet) || inches === undefined) return undefined;
    return round((Number(feet) * 12 + inches) * CM_PER_INCH, 1);
  }
  if (feetParts.length > 2) return undefined;
  const number = readNumber(bare, context);
  if (number === undefined) return undefined;
  const inInches = inchesMarked || (!text.endsWith('cm') && unit === 'in');
  return round(inInches ? number * CM_PER_INCH : number, 1);
}

/**
 * The test's time: `yyyyMMddHHmmss` (InBody's own), `yyyyMMdd`, `yyyy.MM.dd[.] [HH:mm[:ss]]`,
 * `yyyy-MM-dd[ T]HH:mm[:ss]`, `yyyy/MM/dd …`, `dd.MM.yyyy …` as wall-clock times, and ISO
 * times with an offset (`Z`, `+01:00`) as instants.
 */
export function readDate(raw: string): WallTime | Date | undefined {
  const text = raw.trim();
  if (text.length > 40) return undefined;
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && /Z$|[+-]\d\d:?\d\d$/i.test(text)) {
    const instant = new Date(text);
    return Number.isNaN(instant.getTime()) ? undefined : instant;
  }
  if (/^\d+$/.test(text) && [8, 12, 14].includes(text.length)) {
    return wallTime([0, 4, 6, 8, 10, 12].map((at) => text.slice(at, at + (at === 0 ? 4 : 2))));
  }
  const [datePart = '', timePart, ...extra] = text.split(/[ T]+/);
  if (extra.length > 0) return undefined;
  const time = timePart === undefined ? [] : timePart.split(':');
  if (time.length === 1 || time.length > 3 || !time.every((part) => /^\d{1,2}$/.test(part))) {
    return undefined;
  }
  const yearFirst = /^(\d{4})[./-](\d{1,2})[./-](\d{1,2})\.?$/.exec(datePart);
  if (yearFirst) return wallTime([...yearFirst.slice(1), ...time]);
  const dayFirst = /^(\d{1,2})\.(\d{1,2})\.(\d{4})\.?$/.exec(datePart);
  if (dayFirst) {
    const [day, month, year] = dayFirst.slice(1);
    return wallTime([year, month, day, ...time]);
  }
  return undefined;
}

function wallTime(parts: (string | undefined)[]): WallTime | undefined {
  // Missing time fields (a date alone, no seconds) are zero.
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = [0, 1, 2, 3, 4, 5].map(
    (index) => Number(parts[index] || 0),
  );
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  // Date.UTC rolls 31 April into May; a day that rolls over does not exist.
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined;
  return { year, month, day, hour, minute, second };
}
