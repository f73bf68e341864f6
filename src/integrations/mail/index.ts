// Outgoing email, as the modules see it.
export { createMailer, type Mailer, type MailerOptions, type MailMessage } from './mailer.js';
export { escapeHtml, renderMail, type MailContent, type RenderedMail } from './mail-layout.js';
