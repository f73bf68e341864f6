/** Why a model could not be fetched, and whether trying again later can help. */
export class ModelDownloadError extends Error {
  constructor(
    readonly why: string,
    /** True for network trouble, timeouts and 5xx; false for answers that will not change. */
    readonly transient: boolean,
  ) {
    super(why);
    this.name = 'ModelDownloadError';
  }
}

export interface ModelDownloadSettings {
  maxBytes: number;
  timeoutMs: number;
  /** http model URLs only from a scanning service reached over http (tests, development). */
  allowHttp: boolean;
}

/** What we store: a glTF binary (`.glb`), the format we ask the service for. */
export const MODEL_CONTENT_TYPE = 'model/gltf-binary';
// Media types a CDN may label a .glb with; the bytes decide in the end.
const ACCEPTED_TYPES = new Set([
  MODEL_CONTENT_TYPE,
  'application/octet-stream',
  'model/gltf+binary',
]);
// Every glTF binary starts with the ASCII magic "glTF" and version 2 (little-endian).
const GLB_MAGIC = Buffer.from('glTF', 'ascii');

/**
 * Fetches the service's model: only https (or http when allowed), no credentials sent, a time
 * limit on the whole download, at most `maxBytes` read (a longer body is cut off and refused),
 * and a glTF binary by its media type and its first bytes.
 */
export async function downloadModel(url: string, settings: ModelDownloadSettings): Promise<Buffer> {
  const target = new URL(url);
  assertProtocol(target, settings);
  let response: Response;
  const signal = AbortSignal.timeout(settings.timeoutMs);
  try {
    response = await fetch(target, { redirect: 'follow', signal });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    throw new ModelDownloadError(
      timedOut ? 'the download timed out' : 'the model host is unreachable',
      true,
    );
  }
  // A redirect may not lead from https to http.
  assertProtocol(new URL(response.url || url), settings);
  if (!response.ok) {
    await response.body?.cancel();
    throw new ModelDownloadError(
      `the model host answered HTTP ${String(response.status)}`,
      response.status >= 500 || response.status === 429,
    );
  }
  const declared =
    (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!ACCEPTED_TYPES.has(declared)) {
    await response.body?.cancel();
    throw new ModelDownloadError(`the model is ${declared || 'untyped'}, not a glTF binary`, false);
  }
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  if (length > settings.maxBytes) {
    await response.body?.cancel();
    throw new ModelDownloadError(
      `the model is larger than ${String(settings.maxBytes)} bytes`,
      false,
    );
  }
  const bytes = await readBounded(response, settings.maxBytes);
  if (bytes.length < 12 || !bytes.subarray(0, 4).equals(GLB_MAGIC) || bytes.readUInt32LE(4) !== 2) {
    throw new ModelDownloadError('the model is not a glTF 2 binary', false);
  }
  return bytes;
}

function assertProtocol(url: URL, settings: ModelDownloadSettings): void {
  const allowed = url.protocol === 'https:' || (settings.allowHttp && url.protocol === 'http:');
  if (!allowed) throw new ModelDownloadError(`a ${url.protocol} model URL is not accepted`, false);
}

async function readBounded(response: Response, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  if (!response.body) return Buffer.alloc(0);
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        throw new ModelDownloadError(`the model is larger than ${String(maxBytes)} bytes`, false);
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    if (error instanceof ModelDownloadError) throw error;
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    throw new ModelDownloadError(
      timedOut ? 'the download timed out' : 'the download broke off',
      true,
    );
  }
  return Buffer.concat(chunks);
}
