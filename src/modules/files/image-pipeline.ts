import { fileTypeFromFile } from 'file-type';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { AppError, invalidImage, serviceUnavailable } from '../../lib/errors.js';

// libvips' operation cache keeps decoded images around for reuse we never make; without it a
// burst of uploads gives its memory back as soon as each is done.
sharp.cache(false);

/** What an upload may be, judged by its bytes (never by its name or Content-Type). */
export const acceptedImageTypes = ['image/jpeg', 'image/png', 'image/webp'] as const;
type AcceptedImageType = (typeof acceptedImageTypes)[number];

/** Stored images are always JPEG: every client and browser shows them, and it is compact. */
export const STORED_IMAGE_TYPE = 'image/jpeg';
const JPEG_QUALITY = 82;

const HEIF_TYPES = new Set([
  'image/heic',
  'image/heif',
  'image/heic-sequence',
  'image/heif-sequence',
]);

export interface ImageLimits {
  /** Pixels (width × height) an image may declare; more is refused before decoding. */
  maxInputPixels: number;
  /** Longest side of a stored image. */
  maxDimension: number;
  /** Images decoded at once; the rest wait in a line of at most `queueMax`. */
  concurrency: number;
  queueMax: number;
}

/** One stored rendition of an upload. */
export interface EncodedImage {
  bytes: Buffer;
  contentType: typeof STORED_IMAGE_TYPE;
  width: number;
  height: number;
}

/** How to render an upload: fitted inside the longest side, or cropped to a square of `size`. */
export type Rendition = { fit: 'inside' } | { fit: 'square'; size: number };

/** 415 for content that is not an image of an accepted type, whatever its name or header. */
const unsupportedImage = (seen?: string) =>
  new AppError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'Unsupported media type',
    `Send a JPEG, PNG or WebP image${seen ? ` (${seen})` : ''}.`,
  );

/**
 * Bounds how many images are decoded at once: decoding a 12-megapixel photo takes tens of MB,
 * so an unbounded burst of uploads would take the process's memory with it. Callers past the
 * line's length get a 503 with Retry-After instead of waiting without end.
 */
export class ProcessingGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: { concurrency: number; queueMax: number }) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.limits.concurrency) {
      this.running += 1;
    } else {
      if (this.waiting.length >= this.limits.queueMax) {
        throw serviceUnavailable('Too many uploads are being processed; retry shortly.', 2);
      }
      // The finishing run hands its slot straight over, so `running` stays as it is.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}

/**
 * Checks an uploaded file by its content and re-encodes it: orientation applied, every piece
 * of metadata (EXIF with GPS, XMP, IPTC, ICC) dropped, the longest side capped. What is stored
 * is always a fresh JPEG made from decoded pixels, so nothing of the original file survives (a
 * polyglot's second payload included).
 */
export class ImagePipeline {
  private readonly gate: ProcessingGate;

  constructor(private readonly limits: ImageLimits) {
    this.gate = new ProcessingGate(limits);
  }

  /** The renditions of the image at `path`, in the order asked; 415/422 for what is not one. */
  async process(path: string, renditions: readonly Rendition[]): Promise<EncodedImage[]> {
    await this.requireAcceptedType(path);
    return this.gate.run(async () => {
      const source = await this.open(path);
      return Promise.all(renditions.map((rendition) => this.encode(source.clone(), rendition)));
    });
  }

  private async requireAcceptedType(path: string): Promise<AcceptedImageType> {
    const detected = await fileTypeFromFile(path);
    if (detected && HEIF_TYPES.has(detected.mime)) {
      throw unsupportedImage(
        'HEIC/HEIF photos cannot be decoded here, as the image library has no HEVC decoder; ' +
          'on an iPhone choose Settings > Camera > Formats > Most Compatible, or share the ' +
          'photo as JPEG',
      );
    }
    const accepted = acceptedImageTypes.find((type) => type === detected?.mime);
    if (!accepted) {
      throw unsupportedImage(detected ? `the file's content is ${detected.mime}` : undefined);
    }
    return accepted;
  }

  /** The decoder over the file, once its declared size is known to be within the limit. */
  private async open(path: string): Promise<Sharp> {
    const options = {
      limitInputPixels: this.limits.maxInputPixels,
      // Truncated or corrupt data fails instead of decoding to a grey half picture.
      failOn: 'truncated' as const,
      sequentialRead: true,
    };
    let declared: Metadata;
    try {
      // Only the header is read here, so the pixel limit is ours to check, with a clear answer.
      declared = await sharp(path, { ...options, limitInputPixels: false }).metadata();
    } catch {
      throw invalidImage('The image could not be read: its data is corrupt or incomplete.');
    }
    const pixels = declared.width * declared.height;
    if (pixels === 0 || pixels > this.limits.maxInputPixels) {
      throw invalidImage(
        `The image declares ${declared.width}×${declared.height} pixels; at most ` +
          `${this.limits.maxInputPixels} pixels are accepted.`,
      );
    }
    return sharp(path, options).timeout({ seconds: 30 });
  }

  private async encode(image: Sharp, rendition: Rendition): Promise<EncodedImage> {
    const max = this.limits.maxDimension;
    // `rotate()` without an angle applies the EXIF orientation, before the EXIF is dropped.
    const oriented = image.rotate();
    const resized =
      rendition.fit === 'square'
        ? oriented.resize(rendition.size, rendition.size, { fit: 'cover', position: 'centre' })
        : oriented.resize(max, max, { fit: 'inside', withoutEnlargement: true });
    try {
      // No withMetadata()/keepExif(): sharp writes none of the input's metadata.
      const { data, info } = await resized
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: JPEG_QUALITY, progressive: true })
        .toBuffer({ resolveWithObject: true });
      return {
        bytes: data,
        contentType: STORED_IMAGE_TYPE,
        width: info.width,
        height: info.height,
      };
    } catch {
      throw invalidImage('The image could not be decoded: its data is corrupt or incomplete.');
    }
  }
}
