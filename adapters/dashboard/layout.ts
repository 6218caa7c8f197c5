import { html, type SafeHtml } from './html';

/** Pages in the navigation, in order. */
export const NAV = [
  { path: '/dashboard', label: 'Overview' },
  { path: '/dashboard/cost', label: 'Cost' },
  { path: '/dashboard/approvals', label: 'Approvals' },
  { path: '/dashboard/escalations', label: 'Escalations' },
  { path: '/dashboard/conversations', label: 'Conversations' },
  { path: '/dashboard/outcomes', label: 'Outcomes' },
  { path: '/dashboard/routes', label: 'Routes' },
  { path: '/dashboard/audit', label: 'Audit' },
] as const;

/** The page shell: skip link, navigation (current page marked), main content, the shared script. */
export function layout(options: { title: string; current: string; body: SafeHtml; pollMs: number; now: number }): string {
  const nav = NAV.map((item) =>
    item.path === options.current ? html`<li><a href="${item.path}" aria-current="page">${item.label}</a></li>` : html`<li><a href="${item.path}">${item.label}</a></li>`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Support agent</title>
<link rel="stylesheet" href="/dashboard/static/uplot.css">
<link rel="stylesheet" href="/dashboard/static/dashboard.css">
</head>
<body data-poll-ms="${options.pollMs}">
<a class="skip" href="#main">Skip to content</a>
<header>
<p class="brand">Support agent · operations</p>
<nav aria-label="Dashboard pages"><ul>${nav}</ul></nav>
</header>
<main id="main" tabindex="-1">
<h1>${options.title}</h1>
${options.body}
<p class="updated" id="updated" data-live>Updated ${new Date(options.now).toISOString().slice(11, 19)} UTC · refreshes every ${Math.round(options.pollMs / 1000)} s</p>
</main>
<script src="/dashboard/static/uplot.js"></script>
<script src="/dashboard/static/dashboard.js"></script>
</body>
</html>`.value;
}

/** The sign-in page: a form and nothing else (served with 401 until a right token arrives). */
export function signInPage(message: string | undefined): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Support agent</title>
<link rel="stylesheet" href="/dashboard/static/dashboard.css">
</head>
<body>
<main id="main" class="signin">
<h1>Sign in to the dashboard</h1>
${message ? html`<p role="alert" class="error">${message}</p>` : ''}
<form method="post" action="/dashboard/login">
<label for="token">Dashboard token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p>Use <code>DASHBOARD_TOKEN</code>, or the sign-in link printed when the bot starts.</p>
</main>
</body>
</html>`.value;
}
