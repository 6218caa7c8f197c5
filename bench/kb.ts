/**
 * Help-center index at scale: build time for 10,000 sections (1,000 Markdown
 * files of 10 headed sections), reload time from the saved index, and search
 * latency p50/p99 over 2,000 queries. Usage: npx tsx bench/kb.ts [files]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KbIndex } from '../src/knowledge/kb-index';
import { silentLogger } from '../src/logger';

const files = Number(process.argv[2] ?? 1_000);
const words = 'account billing refund invoice password reset shipping tracking warranty battery screen crash update install export import plan upgrade downgrade cancel subscription team admin role permission email notification sync backup restore'.split(' ');
let seed = 7;
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = () => words[Math.floor(rand() * words.length)]!;
const sentence = (n: number) => Array.from({ length: n }, pick).join(' ');

const dir = await mkdtemp(path.join(tmpdir(), 'kb-bench-'));
try {
  const kb = path.join(dir, 'kb');
  await mkdir(kb);
  for (let f = 0; f < files; f++) {
    const sections = Array.from({ length: 10 }, (_, s) => `## ${sentence(3)} ${s}\n\n${sentence(60)}.\n\n${sentence(40)}.`).join('\n\n');
    await writeFile(path.join(kb, `article-${f}.md`), `---\ntitle: ${sentence(4)} ${f}\nurl: https://help.example.com/${f}\n---\n${sections}\n`);
  }
  const indexFile = path.join(dir, 'kb-index.json');
  let t = performance.now();
  const built = await KbIndex.open({ dir: kb, indexFile, logger: silentLogger() });
  const buildMs = performance.now() - t;
  t = performance.now();
  const reloaded = await KbIndex.open({ dir: kb, indexFile, logger: silentLogger() });
  const reloadMs = performance.now() - t;
  const times: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const q = sentence(1 + (i % 4));
    const s = performance.now();
    await reloaded.search(q, 3);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
  console.log(`kb: ${files} files, ${built.stats.chunks} sections`);
  console.log(`  build ${Math.round(buildMs)} ms (read, chunk, index, save); reload from saved index ${Math.round(reloadMs)} ms`);
  console.log(`  search (2,000 queries, top 3): p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
