import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** One section of a document: what search returns and answers cite. */
export interface KbChunk {
  /** `<relative file>#<n>`, stable while the file's headings stay. */
  id: string;
  file: string;
  title: string;
  url?: string;
  /** The heading the text sits under ('' for text before the first heading). */
  heading: string;
  text: string;
}

/** A file that was not indexed, and why (shown as a start-up warning). */
export interface SkippedFile {
  file: string;
  reason: string;
}

const EXTENSIONS = new Set(['.md', '.markdown', '.html', '.htm', '.txt']);
/** Bigger files are almost always exports or logs, not help articles. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** Sections longer than this are cut at paragraph breaks, so a hit points near the answer. */
const MAX_CHUNK_CHARS = 1_800;

/** Every supported file under `dir`, recursively, with its size and modification time. */
export async function listKbFiles(dir: string): Promise<Array<{ file: string; size: number; mtimeMs: number }>> {
  const out: Array<{ file: string; size: number; mtimeMs: number }> = [];
  const walk = async (sub: string) => {
    for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile() && EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        const s = await stat(path.join(dir, rel));
        out.push({ file: rel, size: s.size, mtimeMs: s.mtimeMs });
      }
    }
  };
  await walk('');
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** Read and chunk every file; unreadable or oversized ones are skipped and reported. */
export async function readKbChunks(dir: string): Promise<{ chunks: KbChunk[]; skipped: SkippedFile[]; files: number }> {
  const chunks: KbChunk[] = [];
  const skipped: SkippedFile[] = [];
  const files = await listKbFiles(dir);
  for (const { file, size } of files) {
    if (size > MAX_FILE_BYTES) {
      skipped.push({ file, reason: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MB` });
      continue;
    }
    let text: string;
    try {
      text = await readFile(path.join(dir, file), 'utf8');
    } catch (error) {
      skipped.push({ file, reason: `unreadable (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
      continue;
    }
    const doc = parseDocument(file, text);
    if (doc.sections.every((s) => s.text.trim() === '')) {
      skipped.push({ file, reason: 'no text' });
      continue;
    }
    let n = 0;
    for (const section of doc.sections) {
      for (const piece of splitLong(section.text)) {
        chunks.push({ id: `${file}#${n++}`, file, title: doc.title, ...(doc.url ? { url: doc.url } : {}), heading: section.heading, text: piece });
      }
    }
  }
  return { chunks, skipped, files: files.length };
}

interface ParsedDocument {
  title: string;
  url?: string;
  sections: Array<{ heading: string; text: string }>;
}

/** Front matter (`title`, `url`) and sections split at headings; HTML is reduced to text first. */
export function parseDocument(file: string, raw: string): ParsedDocument {
  const front = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(raw);
  const fields = new Map<string, string>();
  for (const line of (front?.[1] ?? '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim().replace(/^["']|["']$/g, ''));
  }
  let body = front ? raw.slice(front[0].length) : raw;
  const ext = path.extname(file).toLowerCase();
  if (ext === '.html' || ext === '.htm') {
    const htmlTitle = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1];
    const canonical = /<link[^>]+rel=["']canonical["'][^>]*href=["']([^"']+)["']/i.exec(body)?.[1];
    if (htmlTitle && !fields.has('title')) fields.set('title', decode(htmlTitle.trim()));
    if (canonical && !fields.has('url')) fields.set('url', canonical);
    body = htmlToMarkdownish(body);
  }
  const sections: Array<{ heading: string; text: string }> = [];
  let current = { heading: '', lines: [] as string[] };
  let firstHeading: string | undefined;
  const isMarkdown = ext !== '.txt';
  for (const line of body.split(/\r?\n/)) {
    const h = isMarkdown ? /^(#{1,3})\s+(.*\S)\s*#*\s*$/.exec(line) : undefined;
    if (h) {
      if (current.lines.join('').trim() !== '' || current.heading !== '') sections.push({ heading: current.heading, text: current.lines.join('\n').trim() });
      firstHeading ??= h[2]!;
      current = { heading: h[2]!, lines: [] };
    } else current.lines.push(line);
  }
  sections.push({ heading: current.heading, text: current.lines.join('\n').trim() });
  const title = fields.get('title') ?? firstHeading ?? path.basename(file, ext).replace(/[-_]+/g, ' ');
  const url = fields.get('url');
  return { title, ...(url ? { url } : {}), sections: sections.filter((s) => s.text !== '') };
}

function splitLong(text: string): string[] {
  if (text.length <= MAX_CHUNK_CHARS) return [text];
  const out: string[] = [];
  let piece = '';
  for (const para of text.split(/\n\s*\n/)) {
    if (piece !== '' && piece.length + para.length > MAX_CHUNK_CHARS) {
      out.push(piece);
      piece = '';
    }
    piece = piece === '' ? para : `${piece}\n\n${para}`;
    while (piece.length > MAX_CHUNK_CHARS) {
      out.push(piece.slice(0, MAX_CHUNK_CHARS));
      piece = piece.slice(MAX_CHUNK_CHARS);
    }
  }
  if (piece.trim() !== '') out.push(piece);
  return out;
}

/** Headings become `#` lines and block ends become line breaks, so sections survive; every other tag goes. */
function htmlToMarkdownish(html: string): string {
  return decode(
    html
      .replace(/<(script|style|head|nav|footer)[\s\S]*?<\/\1>/gi, '')
      .replace(/<h([1-3])[^>]*>([\s\S]*?)<\/h\1>/gi, (_, level: string, text: string) => `\n${'#'.repeat(Number(level))} ${text.replace(/<[^>]+>/g, '').trim()}\n`)
      .replace(/<(?:br|\/p|\/li|\/div|\/tr)[^>]*>/gi, '\n')
      .replace(/<[^>]+>/g, ''),
  );
}

function decode(text: string): string {
  return text
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
