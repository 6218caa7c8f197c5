import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** Files the dashboard serves itself (no CDN: it works offline). uPlot comes straight from node_modules. */
const FILES: Record<string, { path: () => string; type: string }> = {
  'uplot.js': { path: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uplot.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
  'dashboard.js': { path: () => fileURLToPath(new URL('./assets/dashboard.js', import.meta.url)), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { path: () => fileURLToPath(new URL('./assets/dashboard.css', import.meta.url)), type: 'text/css; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

/** A static file by name, read once; undefined for names not listed. */
export async function staticAsset(name: string): Promise<{ body: Buffer; type: string } | undefined> {
  const file = FILES[name];
  if (!file) return undefined;
  let body = cache.get(name);
  if (!body) {
    body = await readFile(file.path());
    cache.set(name, body);
  }
  return { body, type: file.type };
}
