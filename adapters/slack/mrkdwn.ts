/**
 * Markdown (as models write it) to Slack mrkdwn.
 *
 * Slack's dialect differs in the places models lean on most: `*bold*` not
 * `**bold**`, `_italic_`, `<url|label>` links, no headings, and `&`, `<`, `>`
 * must be escaped everywhere (code included). Code is never reformatted.
 */

// Private-use characters as placeholders: they never occur in model text.
const HOLD_OPEN = '\uE000';
const HOLD_CLOSE = '\uE001';
const BOLD = '\uE002';

/** Escape Slack's three control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Convert a Markdown document to Slack mrkdwn. */
export function markdownToMrkdwn(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let fence: { marker: string; body: string[] } | undefined;
  for (const line of lines) {
    const fenceMatch = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (fenceMatch && fenceMatch[1]!.startsWith(fence.marker)) {
        out.push('```\n' + escapeMrkdwn(fence.body.join('\n')) + '\n```');
        fence = undefined;
      } else {
        fence.body.push(line);
      }
      continue;
    }
    if (fenceMatch) {
      // The language tag has no meaning in Slack; drop it.
      fence = { marker: fenceMatch[1]!, body: [] };
      continue;
    }
    out.push(convertLine(line));
  }
  // An unclosed fence still renders as code rather than leaking markup.
  if (fence) out.push('```\n' + escapeMrkdwn(fence.body.join('\n')) + '\n```');
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

function convertLine(line: string): string {
  const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
  if (heading) return heading[1] === '' ? '' : `*${inline(heading[1]!).replace(/\*/g, '')}*`;
  if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) return '──────────';
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  if (bullet) return `${indent(bullet[1]!)}• ${inline(bullet[2]!)}`;
  const numbered = /^(\s*)(\d{1,9})[.)]\s+(.*)$/.exec(line);
  if (numbered) return `${indent(numbered[1]!)}${numbered[2]}. ${inline(numbered[3]!)}`;
  const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
  if (quote) return `> ${inline(quote[1]!)}`;
  return inline(line);
}

// Slack collapses leading spaces less than Markdown expects; keep nesting visible.
function indent(spaces: string): string {
  const level = Math.floor(spaces.replace(/\t/g, '    ').length / 2);
  return '    '.repeat(level);
}

function inline(text: string): string {
  const held: string[] = [];
  const hold = (value: string) => `${HOLD_OPEN}${held.push(value) - 1}${HOLD_CLOSE}`;

  let s = text;
  // Inline code: contents are literal.
  s = s.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_m, _ticks: string, code: string) => hold('`' + escapeMrkdwn(code.trim()) + '`'));
  // Markdown links and images (images become links: Slack cannot inline them in text).
  s = s.replace(/!?\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, (m, label: string, url: string) =>
    isSafeUrl(url) ? hold(link(url, label)) : m,
  );
  // Slack's own tokens the engine may pass through: user and channel mentions.
  // Broadcasts (<!here>, <!channel>) are deliberately not kept: model text must not page a channel.
  s = s.replace(/<([@#][UWC][A-Z0-9]+(?:\|[^>]*)?)>/g, (_m, token: string) => hold(`<${token}>`));
  // Autolinks <https://…> and bare URLs: protect them from emphasis rules.
  s = s.replace(/<((?:https?|mailto):[^>\s]+)>/g, (_m, url: string) => hold(`<${escapeUrl(url)}>`));
  s = s.replace(/\b(?:https?:\/\/|mailto:)[^\s<>()]+[^\s<>().,;:!?'"]/g, (url) => hold(escapeUrl(url)));

  s = escapeMrkdwn(s);
  s = s.replace(/\*\*\*(?=\S)([\s\S]*?\S)\*\*\*/g, `${BOLD}_$1_${BOLD}`);
  s = s.replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, `${BOLD}$1${BOLD}`);
  s = s.replace(/(^|[^\w])__(?=\S)([\s\S]*?\S)__(?!\w)/g, `$1${BOLD}$2${BOLD}`);
  s = s.replace(/(^|[^\w*])\*(?=[^\s*])([^*]*?[^\s*])?\*(?![\w*])/g, (_m, pre: string, body: string | undefined) =>
    `${pre}_${body ?? ''}_`,
  );
  s = s.replace(/~~(?=\S)([\s\S]*?\S)~~/g, '~$1~');
  s = s.split(BOLD).join('*');
  return s.replace(new RegExp(`${HOLD_OPEN}(\\d+)${HOLD_CLOSE}`, 'g'), (_m, i: string) => held[Number(i)] ?? '');
}

function link(url: string, label: string): string {
  const text = label.trim();
  if (text === '' || text === url) return `<${escapeUrl(url)}>`;
  // `|` and `>` would end the label early; Slack has no escape for them inside links.
  return `<${escapeUrl(url)}|${escapeMrkdwn(text.replace(/[|]/g, '/')).replace(/\*\*/g, '')}>`;
}

function escapeUrl(url: string): string {
  return url.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
}

function isSafeUrl(url: string): boolean {
  return /^(https?:|mailto:)/i.test(url);
}
