import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogFormat } from './logger.js';
import { LogCapture } from '../test-support/log-capture.js';

/** Logs one line with a secret in it through `format` and returns what reached the stream. */
async function writeOneLine(format: LogFormat): Promise<string> {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('info', sink, format);
  logger.info({ password: 'hunter2 hunter2', userId: 'u-1' }, 'member signed in');
  await new Promise((resolve) => setImmediate(resolve));
  return chunks.join('');
}

describe('log format', () => {
  it('when the format is pretty, then a line is readable text with the level and message, still redacted', async () => {
    const text = await writeOneLine('pretty');
    expect(text).toContain('INFO');
    expect(text).toContain('member signed in');
    expect(text).toContain('u-1');
    expect(text).not.toContain('hunter2');
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('when the format is json, then a line is one JSON object naming service, version and environment', async () => {
    const line = JSON.parse(await writeOneLine('json')) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'member signed in', userId: 'u-1', password: '[redacted]' });
    expect(line).toHaveProperty('service');
    expect(line).toHaveProperty('version');
    expect(line).toHaveProperty('environment');
  });

  it('when the format is auto and a destination is given, then lines are JSON for the reader', () => {
    const capture = new LogCapture();
    createLogger('info', capture).info('hello');
    expect(capture.entries()[0]).toMatchObject({ msg: 'hello' });
  });
});
