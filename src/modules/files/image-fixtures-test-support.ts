// Real image files for the upload tests, made with sharp. Nothing here may import vitest:
// `npm run build` compiles every file under src/ that is not a *.test.ts.
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** A solid-colour image of the format, `width`×`height`. */
export function solidImage(
  format: 'jpeg' | 'png' | 'webp',
  width = 320,
  height = 240,
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#2a7f62' } })
    [format]()
    .toBuffer();
}

/** A JPEG of noise: large for its size in pixels (used to break the size limit). */
export function noisyJpeg(width: number, height: number, quality = 95): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .jpeg({ quality })
    .toBuffer();
}

/** A big-endian TIFF IFD entry: tag, type, count, and a 4-byte value or offset. */
function ifdEntry(tag: number, type: number, count: number, value: Buffer): Buffer {
  const entry = Buffer.alloc(12);
  entry.writeUInt16BE(tag, 0);
  entry.writeUInt16BE(type, 2);
  entry.writeUInt32BE(count, 4);
  value.copy(entry, 8);
  return entry;
}

const u32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
};

/**
 * An EXIF block (APP1 payload) with an orientation and a GPS position, written by hand: sharp
 * writes no GPS tags itself. Layout: TIFF header, IFD0 (Orientation, GPS pointer), GPS IFD
 * (latitude ref and latitude as three rationals).
 */
function exifWithGps(orientation: number): Buffer {
  const ifd0Offset = 8;
  const ifd0Size = 2 + 2 * 12 + 4;
  const gpsOffset = ifd0Offset + ifd0Size;
  const gpsSize = 2 + 2 * 12 + 4;
  const latitudeOffset = gpsOffset + gpsSize;
  const orientationValue = Buffer.alloc(4);
  orientationValue.writeUInt16BE(orientation, 0);
  const ifd0 = Buffer.concat([
    Buffer.from([0, 2]),
    ifdEntry(0x0112, 3, 1, orientationValue),
    ifdEntry(0x8825, 4, 1, u32(gpsOffset)),
    u32(0),
  ]);
  const gps = Buffer.concat([
    Buffer.from([0, 2]),
    ifdEntry(0x0001, 2, 2, Buffer.from('N\0\0\0', 'latin1')),
    ifdEntry(0x0002, 5, 3, u32(latitudeOffset)),
    u32(0),
  ]);
  const latitude = Buffer.concat([51, 1, 30, 1, 26, 1].map(u32));
  const tiff = Buffer.concat([Buffer.from('MM\0\x2a', 'latin1'), u32(8), ifd0, gps, latitude]);
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
}

/**
 * A `width`×`height` JPEG whose EXIF says to rotate it (`orientation` 6: 90° clockwise, so it
 * shows `height`×`width`) and carries a GPS latitude, as phone photos do.
 */
export async function jpegWithGpsAndOrientation(
  width: number,
  height: number,
  orientation = 6,
): Promise<Buffer> {
  const plain = await solidImage('jpeg', width, height);
  const payload = exifWithGps(orientation);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(payload.length + 2, 2);
  // Right after SOI (FF D8), where an APP1 Exif segment belongs.
  return Buffer.concat([plain.subarray(0, 2), header, payload, plain.subarray(2)]);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32(data.length), typed, u32(crc32(typed))]);
}

/**
 * A decompression bomb: a valid PNG of a few hundred bytes that declares `side`×`side` pixels
 * (its one IDAT holds a little of the zeros such an image would decompress to).
 */
export function pngBomb(side = 100_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64 * 1024))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A HEIF container as iPhones write (brand `heic`). Its picture is AV1-coded, as this sharp
 * build cannot encode HEVC; the brand is what decides how the upload is judged.
 */
export async function heicContainer(): Promise<Buffer> {
  const heif = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3c3' } })
    .heif({ compression: 'av1' })
    .toBuffer();
  const patched = Buffer.from(heif);
  patched.write('heic', 8, 'latin1');
  return patched;
}

export const svgImage = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script>' +
    '<rect width="10" height="10"/></svg>',
);

/** A PDF: the wrong type behind a `.jpg` name and an `image/jpeg` part header. */
export const pdfDocument = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>' +
    'endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
