// A real SMTP server on loopback for tests: it accepts every message and keeps what arrived.
// Nothing here may import vitest: `npm run build` compiles every file that is not a test.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as it arrived, with its plain-text part decoded. */
export interface ReceivedMail {
  to: string[];
  subject: string;
  raw: string;
  text: string;
  html: string;
  /** Every http(s) link of the plain-text part, in order. */
  links: string[];
}

/** Undoes quoted-printable (RFC 2045): soft line breaks and `=XX` escapes. */
function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The decoded body of the first part with this content type. */
function partOf(raw: string, contentType: 'text/plain' | 'text/html'): string {
  const start = raw.toLowerCase().indexOf(`content-type: ${contentType}`);
  if (start < 0) return '';
  const rest = raw.slice(start);
  const headerEnd = rest.indexOf('\r\n\r\n');
  const headers = rest.slice(0, headerEnd);
  const bodyAndMore = rest.slice(headerEnd + 4);
  const boundary = bodyAndMore.search(/\r\n--/);
  const body = boundary < 0 ? bodyAndMore : bodyAndMore.slice(0, boundary);
  if (/quoted-printable/i.test(headers)) return decodeQuotedPrintable(body);
  if (/base64/i.test(headers)) return Buffer.from(body, 'base64').toString('utf8');
  return body;
}

export interface SmtpTestServer {
  url: string;
  received: ReceivedMail[];
  /** Resolves with the first message (received so far or later) matching `match`. */
  waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 and an ephemeral port; no TLS, no authentication. */
export async function startSmtpTestServer(): Promise<SmtpTestServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const text = partOf(raw, 'text/plain');
        received.push({
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          subject: /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '',
          raw,
          text,
          html: partOf(raw, 'text/html'),
          links: text.match(/https?:\/\/\S+/g) ?? [],
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async waitFor(match, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(match);
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = received.map((mail) => `${mail.to.join()}: ${mail.subject}`).join('; ');
          throw new Error(`no matching email within ${timeoutMs} ms (received: ${seen})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
