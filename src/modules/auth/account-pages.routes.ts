import { escapeHtml } from '../../integrations/mail/index.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import { z } from '../../lib/zod.js';

// The page reads the token from its own address in the browser; it never echoes it into HTML.
const linkQuery = z.object({ token: z.string().max(200).optional() });

interface PageSpec {
  title: string;
  intro: string;
  kind: 'verify-email' | 'reset-password';
}

function page({ title, intro, kind }: PageSpec): string {
  const passwordField =
    kind === 'reset-password'
      ? '<label>New password (8–72 bytes)<br><input type="password" name="password" ' +
        'autocomplete="new-password" minlength="8" required></label><br><br>'
      : '';
  const button = kind === 'reset-password' ? 'Set the new password' : 'Confirm my address';
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)} · NXG Connect</title>`,
    '<style>body{font-family:Arial,sans-serif;max-width:480px;margin:48px auto;padding:0 16px;' +
      'color:#222}button{padding:10px 18px}input{width:100%;padding:8px}</style></head><body>',
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(intro)}</p>`,
    `<form id="account-form" data-kind="${kind}">${passwordField}`,
    `<button type="submit">${button}</button></form>`,
    '<p id="account-result" role="status"></p>',
    '<script src="/account/account-page.js"></script></body></html>',
  ].join('\n');
}

// Same-origin script (the content security policy allows no inline script). Nothing happens on
// page load: link scanners that fetch the page must not spend the token.
const script = `'use strict';
(function () {
  var form = document.getElementById('account-form');
  var result = document.getElementById('account-result');
  var token = new URLSearchParams(window.location.search).get('token') || '';
  var kind = form.getAttribute('data-kind');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = { token: token };
    var url = '/api/auth/email/verify';
    if (kind === 'reset-password') {
      body.password = form.elements.namedItem('password').value;
      url = '/api/auth/password/reset';
    }
    fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.ok) {
        form.hidden = true;
        result.textContent = kind === 'reset-password'
          ? 'Your password is set. Sign in with it in the app.'
          : 'Your address is confirmed. You can close this page.';
        return;
      }
      return response.json().then(function (problem) {
        result.textContent = problem.detail || 'That did not work; ask for a new link.';
      });
    }).catch(function () {
      result.textContent = 'The server could not be reached; try again.';
    });
  });
})();
`;

/**
 * `/account`: the pages emailed links open. They work without the app: a form that posts the
 * link's token to the API (`POST /api/auth/email/verify`, `POST /api/auth/password/reset`).
 * Opening a page changes nothing; only submitting it spends the token.
 */
export function accountPagesRoutes(): RouteGroup {
  return {
    basePath: '/account',
    tag: 'Account pages',
    routes: [
      defineRoute({
        method: 'get',
        path: '/verify-email',
        summary: 'Page of the email verification link',
        description:
          'An HTML page with one button that posts `token` (from the query) to ' +
          '`POST /api/auth/email/verify`. Loading it spends nothing.',
        access: 'public',
        query: linkQuery,
        responses: { 200: { description: 'HTML page' } },
        handler: () =>
          Promise.resolve({
            status: 200,
            contentType: 'text/html; charset=utf-8',
            body: page({
              kind: 'verify-email',
              title: 'Confirm your email address',
              intro: 'Confirm that this address belongs to your NXG Connect account.',
            }),
          }),
      }),
      defineRoute({
        method: 'get',
        path: '/reset-password',
        summary: 'Page of the password reset link',
        description:
          'An HTML form that posts `token` (from the query) and the new password to ' +
          '`POST /api/auth/password/reset`. Loading it spends nothing.',
        access: 'public',
        query: linkQuery,
        responses: { 200: { description: 'HTML page' } },
        handler: () =>
          Promise.resolve({
            status: 200,
            contentType: 'text/html; charset=utf-8',
            body: page({
              kind: 'reset-password',
              title: 'Choose a new password',
              intro: 'Every session of your account will be signed out.',
            }),
          }),
      }),
      defineRoute({
        method: 'get',
        path: '/account-page.js',
        summary: 'Script of the account pages',
        description: 'Submits the page’s form to the API as JSON and shows the outcome.',
        access: 'public',
        responses: { 200: { description: 'JavaScript' } },
        handler: () =>
          Promise.resolve({
            status: 200,
            contentType: 'text/javascript; charset=utf-8',
            body: script,
          }),
      }),
    ],
  };
}
