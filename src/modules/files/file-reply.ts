import type { Request } from 'express';
import { rangeNotSatisfiable } from '../../lib/errors.js';
import type { Reply } from '../../lib/http/route.js';
import type { FileDownload } from './files.service.js';
import type { FileRow } from './files.table.js';

/** Whether an `If-None-Match` list names the entity tag (weak comparison, `*` included). */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/**
 * The answer to a download: a redirect to the storage's short-lived URL (S3), or the bytes
 * streamed from disk with what caches and players expect: an ETag (the SHA-256, so it never
 * changes for an id), 304 for a matching `If-None-Match`, one byte range (206, 416), private
 * caching. Several ranges in one request are served as the whole file, as RFC 9110 allows.
 */
export async function fileReply(
  req: Request,
  file: FileRow,
  download: FileDownload,
  cacheMaxAgeSeconds: number,
): Promise<Reply> {
  if (download.kind === 'redirect') {
    // The signed URL expires soon: no cache may keep the redirect for longer than that.
    return {
      status: 302,
      headers: { Location: download.url, 'Cache-Control': 'private, no-store' },
    };
  }
  const etag = `"${file.sha256}"`;
  const headers: Record<string, string> = {
    ETag: etag,
    'Cache-Control': `private, max-age=${cacheMaxAgeSeconds}`,
    'X-Content-Type-Options': 'nosniff',
    'Accept-Ranges': 'bytes',
    'Content-Disposition': 'inline',
  };
  if (matches(req.get('if-none-match'), etag)) return { status: 304, headers };

  const ifRange = req.get('if-range');
  const rangeApplies = req.get('range') !== undefined && (!ifRange || ifRange === etag);
  const ranges = rangeApplies ? req.range(file.byteSize, { combine: true }) : undefined;
  if (ranges === -1) throw rangeNotSatisfiable(file.byteSize);
  // -2 (a malformed header) and multi-range requests get the whole file.
  const range =
    Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1 ? ranges[0] : undefined;
  if (range) {
    return {
      status: 206,
      headers: {
        ...headers,
        'Content-Range': `bytes ${range.start}-${range.end}/${file.byteSize}`,
        'Content-Length': String(range.end - range.start + 1),
      },
      contentType: file.contentType,
      stream: await download.open(range),
    };
  }
  return {
    status: 200,
    headers: { ...headers, 'Content-Length': String(file.byteSize) },
    contentType: file.contentType,
    stream: await download.open(),
  };
}
