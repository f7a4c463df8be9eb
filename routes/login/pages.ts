// The login demo's pages. The user name comes from the client (the form, the
// cookie), so it is escaped wherever it appears.
import { createHash } from 'node:crypto'
import { FAVICON_LINK } from '../../src/favicon.js'
import { escapeHtml } from '../../src/html.js'
import { PAGE_STYLE } from '../../src/page-style.js'

const STYLE = PAGE_STYLE +
  '.card{width:min(24rem,calc(100% - 2rem));margin:3rem auto;padding:1.75rem;border:1px solid var(--bd);border-radius:10px;background:var(--bg)}' +
  '.card h1{margin:0 0 1rem;font-size:1.5rem}' +
  'label,input,button{display:block;width:100%}label{font-weight:500;font-size:.9rem}' +
  'input{margin:.3rem 0 1rem;padding:.55rem .7rem;font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--bd);border-radius:6px}' +
  'input:focus-visible{border-color:var(--ac)}' +
  'button{padding:.6rem;font:inherit;font-weight:600;color:#fff;background:var(--ac);border:0;border-radius:6px;cursor:pointer}' +
  // White on the dark theme's accent (#4493f8) is 3.1:1; on this blue, 4.6:1 (WCAG AA asks 4.5).
  '@media (prefers-color-scheme:dark){button{background:#1f6feb}}' +
  '.error{color:var(--er);font-weight:500}'

export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // The page's one style sheet (by hash), forms post back here only, and no other site may
  // frame the form (clickjacking).
  'content-security-policy': `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  // Pages differ per user; no cache may hand one user's page to another.
  'cache-control': 'no-store'
}

function page (title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>${FAVICON_LINK}<style>${STYLE}</style></head>
<body>
<header class="top"><div class="in bar"><a class="brand" href="/">servekit</a></div></header>
<main class="card">
${body}
</main>
</body>
</html>
`
}

export interface LoginPage {
  /** Where the form posts to. */
  action: string
  /** Set after a failed attempt: the name to fill in again. */
  failedUser?: string
}

export function loginPage ({ action, failedUser }: LoginPage): string {
  const error = failedUser === undefined ? '' : '<p class="error" role="alert">Wrong user name or password.</p>\n'
  return page('Log in', `<h1>Log in</h1>
${error}<form method="post" action="${escapeHtml(action)}">
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" required autofocus value="${escapeHtml(failedUser ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>`)
}

export interface GreetingPage {
  user: string
  /** Where the log-out button posts to. */
  logout: string
}

export function greetingPage ({ user, logout }: GreetingPage): string {
  return page(`Hello, ${user}`, `<h1>Hello, ${escapeHtml(user)}!</h1>
<p>You are logged in. The session lives in a signed cookie, so any server that shares the secret knows you.</p>
<form method="post" action="${escapeHtml(logout)}"><button type="submit">Log out</button></form>`)
}
