import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { LogCapture } from '../../test-support/log-capture.js';
import { startSmtpTestServer } from '../../test-support/smtp-test-server.js';
import { renderMail } from './mail-layout.js';
import { createMailer } from './mailer.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const message = () => ({
  to: 'reader@example.test',
  link: 'http://localhost:3000/account/reset-password?token=abc',
  ...renderMail({
    subject: 'Reset your password',
    greeting: 'Hi <Sam>,',
    paragraphs: ['Someone asked.'],
    action: { label: 'Choose', url: 'http://localhost:3000/account/reset-password?token=abc' },
  }),
});

/** A mailer without SMTP, writing to an outbox of its own, and what it logs. */
function outboxMailer(options: { logLinks: boolean }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'nxg-outbox-'));
  dirs.push(dir);
  const logs = new LogCapture();
  const mailer = createMailer({
    from: 'NXG <no-reply@nxg.test>',
    outboxDir: path.join(dir, 'outbox'),
    logger: createLogger('info', logs),
    ...options,
  });
  return { dir, logs, mailer };
}

describe('mailer', () => {
  it('when no SMTP_URL is set, then each message becomes an .eml file and only its link is logged', async () => {
    const { dir, logs, mailer } = outboxMailer({ logLinks: true });
    expect(mailer.kind).toBe('outbox');
    await mailer.send(message());
    const files = readdirSync(path.join(dir, 'outbox'));
    expect(files).toHaveLength(1);
    const eml = readFileSync(path.join(dir, 'outbox', files[0] ?? ''), 'utf8');
    expect(eml).toMatch(/^To: reader@example\.test$/m);
    expect(eml).toMatch(/^Subject: Reset your password$/m);
    expect(eml).toContain('multipart/alternative');
    const [line] = logs.entries();
    expect(line).toMatchObject({
      level: 30,
      link: 'http://localhost:3000/account/reset-password?token=abc',
    });
    expect(logs.text).not.toContain('reader@example.test');
    mailer.close();
  });

  it('when the outbox runs in production, then the link (a one-time token) is not logged, only the file', async () => {
    const { logs, mailer } = outboxMailer({ logLinks: false });
    await mailer.send(message());
    expect(logs.entries()[0]).toHaveProperty('file');
    expect(logs.text).not.toContain('token=abc');
    mailer.close();
  });

  it('when SMTP_URL is set, then the message goes over SMTP with text and HTML parts and nothing is logged', async () => {
    const smtp = await startSmtpTestServer();
    const logs = new LogCapture();
    const mailer = createMailer({
      smtpUrl: smtp.url,
      from: 'NXG <no-reply@nxg.test>',
      outboxDir: '/nonexistent',
      logger: createLogger('info', logs),
    });
    try {
      await mailer.send(message());
      const mail = await smtp.waitFor((received) => received.to.includes('reader@example.test'));
      expect(mail.text).toContain('Hi <Sam>,');
      expect(mail.html).toContain('Hi &lt;Sam&gt;,');
      expect(mail.links).toEqual(['http://localhost:3000/account/reset-password?token=abc']);
      expect(logs.lines).toHaveLength(0);
    } finally {
      mailer.close();
      await smtp.close();
    }
  });

  it('when the SMTP server is gone, then sending fails (so the job retries)', async () => {
    const smtp = await startSmtpTestServer();
    await smtp.close();
    const mailer = createMailer({
      smtpUrl: smtp.url,
      from: 'NXG <no-reply@nxg.test>',
      outboxDir: '/nonexistent',
      logger: createLogger('silent'),
      timeoutMs: 2_000,
    });
    await expect(mailer.send(message())).rejects.toThrow();
    mailer.close();
  });
});
