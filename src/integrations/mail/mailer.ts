/* eslint-disable security/detect-non-literal-fs-filename -- the outbox path derives from DATA_DIR, the operator's configuration */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../../lib/logger.js';

/** One message, ready to go: both bodies are rendered (see mail-layout.ts). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /**
   * The link the message is about, if any. Only the outbox (embedded default) logs it, outside
   * production, so a local user can follow it from the console; it carries a one-time token, so
   * over SMTP or in production it never reaches a log.
   */
  link?: string;
}

/** Hands messages to whoever delivers them. Throws when delivery failed (the job retries). */
export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  /** `smtp://` or `smtps://`; without it messages are written to `outboxDir`. */
  smtpUrl?: string;
  from: string;
  outboxDir: string;
  logger: Logger;
  /** Whether the outbox logs each message's link (development only). Default: no. */
  logLinks?: boolean;
  /** Upper bound of one SMTP conversation's stages (connect, greeting, each command). */
  timeoutMs?: number;
}

/**
 * The mail integration: nodemailer over SMTP when `SMTP_URL` is set; in the embedded default,
 * each message is written to `DATA_DIR/outbox/` as an RFC 822 `.eml` file (any mail client
 * opens it) and, outside production, its link is logged at info level. Recipients are never
 * logged.
 */
export function createMailer(options: MailerOptions): Mailer {
  return options.smtpUrl ? new SmtpMailer(options, options.smtpUrl) : new OutboxMailer(options);
}

class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  private readonly transport: Transporter;

  constructor(
    private readonly options: MailerOptions,
    smtpUrl: string,
  ) {
    const timeout = options.timeoutMs ?? 15_000;
    const url = new URL(smtpUrl);
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      auth: url.username
        ? {
            user: decodeURIComponent(url.username),
            pass: decodeURIComponent(url.password),
          }
        : undefined,
      // A relay on the same host (or a test server) may offer no TLS; elsewhere STARTTLS is
      // used whenever offered, and `?requireTLS=true` insists on it.
      requireTLS: url.searchParams.get('requireTLS') === 'true',
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.options.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
  }

  close(): void {
    this.transport.close();
  }
}

class OutboxMailer implements Mailer {
  readonly kind = 'outbox';
  // Builds the same RFC 822 message SMTP would carry, into a buffer instead of a connection.
  private readonly composer = nodemailer.createTransport({ streamTransport: true, buffer: true });

  // Made at startup, so an operator finds where mail goes before the first message arrives.
  constructor(private readonly options: MailerOptions) {
    mkdirSync(options.outboxDir, { recursive: true, mode: 0o700 });
  }

  async send(message: MailMessage): Promise<void> {
    const info = (await this.composer.sendMail({
      from: this.options.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    })) as { message: Buffer };
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`;
    const file = path.join(this.options.outboxDir, name);
    await writeFile(file, info.message, { mode: 0o600 });
    const link = this.options.logLinks ? message.link : undefined;
    this.options.logger.info(
      { file: name, subject: message.subject, ...(link && { link }) },
      'email written to the outbox (set SMTP_URL to send email)',
    );
  }

  close(): void {
    this.composer.close();
  }
}
