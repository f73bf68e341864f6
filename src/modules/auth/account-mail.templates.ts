import type { MailContent } from '../../integrations/mail/index.js';
import type { MailKind } from './recovery.table.js';

/** What a template is filled with; `link` only for the kinds that carry one. */
export interface TemplateInput {
  name: string;
  link?: string;
  /** Minutes the link works. */
  validMinutes?: number;
  data: Record<string, string>;
}

const notYou =
  'If this was not you, reset your password at once and sign out every session from the app.';

function duration(minutes: number | undefined): string {
  if (minutes === undefined) return '';
  return minutes >= 120 ? `${Math.round(minutes / 60)} hours` : `${minutes} minutes`;
}

/** The content of each kind of account email (rendered as text and HTML by renderMail). */
export const accountMailTemplates: Record<MailKind, (input: TemplateInput) => MailContent> = {
  'verify-email': ({ name, link, validMinutes }) => ({
    subject: 'Confirm your email address',
    greeting: `Hi ${name},`,
    paragraphs: ['Please confirm that this is your email address for NXG Connect.'],
    action: link ? { label: 'Confirm email address', url: link } : undefined,
    footer: [
      `The link works once, for ${duration(validMinutes)}.`,
      'If you did not ask for this, ignore this message: nothing changes.',
    ],
  }),
  'password-reset': ({ name, link, validMinutes }) => ({
    subject: 'Reset your password',
    greeting: `Hi ${name},`,
    paragraphs: ['Someone (we hope you) asked to reset the password of your NXG Connect account.'],
    action: link ? { label: 'Choose a new password', url: link } : undefined,
    footer: [
      `The link works once, for ${duration(validMinutes)}; asking again makes it stop working.`,
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ],
  }),
  'password-changed': ({ name, data }) => ({
    subject: 'Your password was changed',
    greeting: `Hi ${name},`,
    paragraphs: [
      data.how === 'reset'
        ? 'The password of your NXG Connect account was just reset with a link sent to this ' +
          'address. Every session was signed out.'
        : 'The password of your NXG Connect account was just changed. Every other session was ' +
          'signed out.',
    ],
    footer: [notYou],
  }),
  'email-change-requested': ({ name, data }) => ({
    subject: 'A change of your email address was requested',
    greeting: `Hi ${name},`,
    paragraphs: [
      `Your NXG Connect account asked to use ${data.newEmail ?? 'another address'} from now ` +
        'on. It takes over only once a link sent there is followed; until then this address ' +
        'stays in use.',
    ],
    footer: [notYou],
  }),
  'email-changed': ({ name, data }) => ({
    subject: 'Your email address was changed',
    greeting: `Hi ${name},`,
    paragraphs: [
      `Your NXG Connect account now uses ${data.newEmail ?? 'another address'}. This address ` +
        'will receive no further messages about it.',
    ],
    footer: [notYou],
  }),
  'two-factor-enabled': ({ name }) => ({
    subject: 'Two-factor sign-in is on',
    greeting: `Hi ${name},`,
    paragraphs: [
      'Signing in to your NXG Connect account now also needs a code from your authenticator ' +
        'app (or one of your recovery codes). Keep the recovery codes somewhere safe.',
    ],
    footer: [notYou],
  }),
  'two-factor-disabled': ({ name }) => ({
    subject: 'Two-factor sign-in was turned off',
    greeting: `Hi ${name},`,
    paragraphs: ['Signing in to your NXG Connect account now needs only your password again.'],
    footer: [notYou],
  }),
};
