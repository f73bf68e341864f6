/** What a message says, before it is rendered as plain text and HTML. */
export interface MailContent {
  subject: string;
  greeting: string;
  /** Paragraphs of plain text, in order; each is escaped for HTML. */
  paragraphs: string[];
  /** The one thing to do, as a button in HTML and a bare URL in text. */
  action?: { label: string; url: string };
  /** Said after the action, e.g. how long the link works and what to do if it was not you. */
  footer?: string[];
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);
}

/**
 * Renders one message as plain text and as HTML from the same content, so the two never say
 * different things. Everything interpolated into HTML is escaped (names are user input).
 */
export function renderMail(content: MailContent): RenderedMail {
  const footer = content.footer ?? [];
  const text = [
    content.greeting,
    ...content.paragraphs,
    ...(content.action ? [`${content.action.label}: ${content.action.url}`] : []),
    ...footer,
    '— NXG Connect',
  ].join('\n\n');
  const paragraph = (value: string) => `<p style="margin:0 0 16px">${escapeHtml(value)}</p>`;
  const button = content.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(content.action.url)}" ` +
      'style="background:#1a56db;color:#fff;padding:12px 20px;border-radius:6px;' +
      `text-decoration:none;display:inline-block">${escapeHtml(content.action.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#555">${escapeHtml(content.action.url)}</p>`
    : '';
  const html = [
    '<!doctype html><html><head><meta charset="utf-8">',
    `<title>${escapeHtml(content.subject)}</title></head>`,
    '<body style="font-family:Arial,sans-serif;color:#222;max-width:560px;margin:0 auto;' +
      'padding:24px">',
    paragraph(content.greeting),
    ...content.paragraphs.map(paragraph),
    button,
    ...footer.map(
      (value) => `<p style="margin:0 0 16px;font-size:13px;color:#555">${escapeHtml(value)}</p>`,
    ),
    '<p style="margin:24px 0 0;color:#555">— NXG Connect</p>',
    '</body></html>',
  ].join('\n');
  return { subject: content.subject, text, html };
}
