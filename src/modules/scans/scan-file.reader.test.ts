import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { readDate, readNumber } from './inbody-csv.parser.js';
import { readScanFile } from './scan-file.reader.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

async function failure(read: Promise<unknown>): Promise<AppError> {
  try {
    await read;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

const header =
  'Date,Measurement device.,Weight(kg),Skeletal Muscle Mass(kg),Body Fat Mass(kg),Percent Body Fat(%)';

describe('InBody CSV exports', () => {
  it('when the InBody app export is read, then the newest row becomes the measurement in kg with its wall-clock time', async () => {
    const reading = await readScanFile(fixture('inbody-app-export.csv'), 'kg');

    expect(reading).toMatchObject({
      format: 'inbody-csv',
      contentType: 'text/csv',
      measuredAt: { year: 2026, month: 3, day: 1, hour: 8, minute: 30, second: 12 },
      values: {
        weightKg: 81.4,
        skeletalMuscleMassKg: 37.9,
        bodyFatMassKg: 14.8,
        bodyFatPercentage: 18.2,
        bmi: 25.7,
        basalMetabolicRateKcal: 1780,
        visceralFatLevel: 7,
        totalBodyWaterKg: 45.1,
        segmentalLeanMassKg: {
          rightArm: 3.7,
          leftArm: 3.6,
          trunk: 28.4,
          rightLeg: 10,
          leftLeg: 9.9,
        },
      },
    });
    expect(reading.values).not.toHaveProperty('heightCm');
    expect(reading.locations.weightKg).toBe('file:line 2, column "Weight(kg)"');
  });

  it('when a pounds export is re-saved with semicolons and decimal commas, then it reads as the kg export does', async () => {
    const reading = await readScanFile(fixture('inbody-app-export-lb-semicolon.csv'), 'kg');

    expect(reading.measuredAt).toMatchObject({ year: 2026, month: 3, day: 1 });
    // 179,5 lb and 83,6 lb, converted and rounded to 10 g.
    expect(reading.values.weightKg).toBe(81.42);
    expect(reading.values.skeletalMuscleMassKg).toBe(37.92);
    expect(reading.values.bodyFatPercentage).toBe(18.2);
    expect(reading.values.totalBodyWaterKg).toBe(45.09);
  });

  it('when the Lookin’Body 120 export is read, then numbered headers, feet-and-inches height and the newest (last) row are understood', async () => {
    const reading = await readScanFile(fixture('lookinbody120-export.csv'), 'kg');

    expect(reading.measuredAt).toMatchObject({ year: 2025, month: 11, day: 12, hour: 7 });
    expect(reading.values).toMatchObject({
      heightCm: 177.8,
      weightKg: 76.9,
      bodyFatMassKg: 16.6,
      leanBodyMassKg: 60.3,
      skeletalMuscleMassKg: 34.6,
      bodyFatPercentage: 21.6,
      basalMetabolicRateKcal: 1673,
      segmentalLeanMassKg: {
        rightArm: 3.47,
        leftArm: 3.4,
        trunk: 27.05,
        rightLeg: 9.41,
        leftLeg: 9.36,
      },
    });
  });

  it('when the export has no units and the uploader says lb, then masses are converted', async () => {
    const reading = await readScanFile(fixture('lookinbody120-export.csv'), 'lb');

    expect(reading.values.weightKg).toBe(34.88);
  });

  it('when a unit is in the header, then it wins over the uploader’s unit', async () => {
    const csv = `Date,Weight[lb],Skeletal Muscle Mass (lb),Percent Body Fat(%)\n2026.03.01 08:30,180,84,18.2\n`;

    const reading = await readScanFile(Buffer.from(csv), 'kg');

    expect(reading.values).toMatchObject({ weightKg: 81.65, skeletalMuscleMassKg: 38.1 });
    expect(reading.measuredAt).toMatchObject({ year: 2026, month: 3, day: 1, hour: 8, minute: 30 });
  });

  it('when a column the scan needs is missing, then 422 names the header line', async () => {
    const error = await failure(
      readScanFile(Buffer.from('Date,Weight(kg)\n20260301083000,80\n'), 'kg'),
    );

    expect(error).toMatchObject({ status: 422, code: 'UNPROCESSABLE_SCAN' });
    expect(error.extras.errors).toEqual([
      { path: 'file:line 1', message: 'has no Skeletal Muscle Mass column' },
      { path: 'file:line 1', message: 'has no Percent Body Fat or Body Fat Mass column' },
    ]);
  });

  it('when a cell is not a number, then 422 names its line and column', async () => {
    const csv = `${header}\n20260301083000,570,81.4,37.9,14.8,18.2\n20260201083000,570,eighty,37.9,14.8,18.2\n`;

    const error = await failure(readScanFile(Buffer.from(csv), 'kg'));

    expect(error.status).toBe(422);
    expect(error.extras.errors).toEqual([
      { path: 'file:line 3, column "Weight(kg)"', message: '"eighty" is not a number' },
    ]);
  });

  it('when a date cannot be read, then 422 names its line', async () => {
    const csv = `${header}\n01/03/26,570,81.4,37.9,14.8,18.2\n`;

    const error = await failure(readScanFile(Buffer.from(csv), 'kg'));

    expect(error.status).toBe(422);
    expect(error.extras.errors?.[0]?.path).toBe('file:line 2, column "Date"');
  });

  it('when the file holds several people, then 422 says so', async () => {
    const csv = `Name,${header}\nAnn,20260301083000,570,61,25,15,25\nBob,20260302083000,570,81,37,14,18\n`;

    const error = await failure(readScanFile(Buffer.from(csv), 'kg'));

    expect(error.status).toBe(422);
    expect(error.detail).toMatch(/several people/);
  });

  it('when the quoting is broken, then 400 names the line', async () => {
    const csv = `${header}\n20260301083000,"570,81.4,37.9,14.8,18.2\n`;

    const error = await failure(readScanFile(Buffer.from(csv), 'kg'));

    expect(error.status).toBe(400);
    expect(error.extras.errors?.[0]?.path).toMatch(/^file:line \d+$/);
  });

  it('when the file is binary, then 415', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(64, 1)]);

    expect((await failure(readScanFile(pdf, 'kg'))).status).toBe(415);
    expect((await failure(readScanFile(Buffer.from([0x41, 0, 0x42, 0x0a]), 'kg'))).status).toBe(
      415,
    );
  });
});

describe('JSON documents', () => {
  it('when the documented JSON is read, then its fields and instant are taken as given', async () => {
    const reading = await readScanFile(fixture('scan-document.json'), 'kg');

    expect(reading).toMatchObject({
      format: 'json',
      contentType: 'application/json',
      measuredAt: new Date('2026-03-01T07:30:00Z'),
      values: { heightCm: 178, weightKg: 81.4, segmentalLeanMassKg: { trunk: 28.4 } },
    });
  });

  it('when the JSON has an unknown field or a wrong type, then 422 names the field', async () => {
    const json = JSON.stringify({
      measuredAt: '2026-03-01T08:30:00Z',
      weightKg: '81',
      bodyFatPercentage: 18,
      skeletalMuscleMassKg: 37,
      shoeSize: 44,
    });

    const error = await failure(readScanFile(Buffer.from(json), 'kg'));

    expect(error.status).toBe(422);
    expect(error.extras.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'file.weightKg' }),
        { path: 'file.shoeSize', message: 'unknown field' },
      ]),
    );
  });

  it('when the JSON does not parse, then 400', async () => {
    expect((await failure(readScanFile(Buffer.from('{"weightKg": 8'), 'kg'))).status).toBe(400);
  });
});

describe('cells of an export', () => {
  it('when dates come in the layouts exports use, then each reads as its wall time or instant', () => {
    const wall = { year: 2026, month: 3, day: 1, hour: 8, minute: 30, second: 0 };
    expect(readDate('20260301083000')).toEqual(wall);
    expect(readDate('2026.03.01. 08:30')).toEqual(wall);
    expect(readDate('2026-03-01T08:30:00')).toEqual(wall);
    expect(readDate('01.03.2026 08:30:00')).toEqual(wall);
    expect(readDate('20260301')).toEqual({ ...wall, hour: 0, minute: 0 });
    expect(readDate('2026-03-01T08:30:00+01:00')).toEqual(new Date('2026-03-01T07:30:00Z'));
    for (const bad of ['2026.02.30', '03/01/2026', '2026-03-01 25:00', '202603011', 'soon']) {
      expect(readDate(bad)).toBeUndefined();
    }
  });

  it('when numbers use a decimal comma or group thousands, then the file’s separator decides', () => {
    expect(readNumber('80,4', { decimalComma: true })).toBe(80.4);
    expect(readNumber('1,650', { decimalComma: false })).toBe(1650);
    expect(readNumber('1,650.5', { decimalComma: false })).toBe(1650.5);
    expect(readNumber('80,4', { decimalComma: false })).toBeUndefined();
    expect(readNumber('8.0.1', { decimalComma: false })).toBeUndefined();
    expect(readNumber('1e3', { decimalComma: false })).toBeUndefined();
  });
});
