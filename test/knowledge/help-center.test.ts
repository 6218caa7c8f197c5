import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOfflineModel } from '../../src/agent/offline-model';
import { helpdeskOfflineIntents as intents } from '../../plugins/helpdesk/offline/intents';
import { KbIndex, type Embedder } from '../../src/knowledge/kb-index';
import { silentLogger } from '../../src/logger';
import { EngineHarness } from '../support/engine-harness';
import { answer, callTools, lastToolResult, ScriptedModel } from '../support/scripted-model';

let dir: string;
let kb: string;
let h: EngineHarness | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kb-'));
  kb = path.join(dir, 'help');
  await mkdir(kb);
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await rm(dir, { recursive: true, force: true });
});

const WARRANTY = `---
title: Warranty
url: https://help.example.com/warranty
---
# Warranty

Every new device carries a two-year warranty.

## Refurbished laptops

Refurbished laptops carry a 12-month warranty covering the battery and the screen. Send the serial number to claim it.
`;
const HTML = `<html><head><title>Returns policy</title><link rel="canonical" href="https://help.example.com/returns"></head>
<body><nav>menu</nav><h1>Returns</h1><p>Unopened items can be returned within 30 days.</p><h2>Opened items</h2><p>Opened headphones are exchanged, not refunded.</p></body></html>`;

const logger = silentLogger();
const open = (extra: { embedder?: Embedder } = {}) => KbIndex.open({ dir: kb, indexFile: path.join(dir, 'kb-index.json'), logger, ...extra });

describe('KB_DIR help center', () => {
  it('chunks Markdown, HTML and text by heading, with title, URL and heading on every hit', async () => {
    await writeFile(path.join(kb, 'warranty.md'), WARRANTY);
    await writeFile(path.join(kb, 'returns.html'), HTML);
    await writeFile(path.join(kb, 'shipping.txt'), 'We ship to the EU and the UK within 3 working days.');
    const index = await open();
    expect(index.stats).toMatchObject({ files: 3, rebuilt: true });
    const [hit] = await index.search('warranty refurbished laptop', 3);
    expect(hit).toMatchObject({ title: 'Warranty', url: 'https://help.example.com/warranty', heading: 'Refurbished laptops' });
    expect(hit!.snippet).toContain('12-month');
    const [html] = await index.search('opened headphones exchange', 1);
    expect(html).toMatchObject({ title: 'Returns policy', url: 'https://help.example.com/returns', heading: 'Opened items' });
    expect(html!.snippet).not.toContain('menu');
    expect((await index.search('ship UK', 1))[0]).toMatchObject({ title: 'shipping' });
  });

  it('reuses the saved index until a file changes, then rebuilds it', async () => {
    await writeFile(path.join(kb, 'warranty.md'), WARRANTY);
    expect((await open()).stats.rebuilt).toBe(true);
    expect((await open()).stats.rebuilt).toBe(false);
    await writeFile(path.join(kb, 'warranty.md'), `${WARRANTY}\n## Accidental damage\n\nNot covered.\n`);
    const again = await open();
    expect(again.stats.rebuilt).toBe(true);
    expect((await again.search('accidental damage', 1))[0]?.heading).toBe('Accidental damage');
  });

  it('skips huge or empty files naming them, and refuses an empty folder', async () => {
    await expect(open()).rejects.toThrow(/KB_DIR: .* has no \.md, \.html or \.txt files/);
    await writeFile(path.join(kb, 'export.md'), `# Dump\n${'x'.repeat(2 * 1024 * 1024 + 10)}`);
    await writeFile(path.join(kb, 'blank.md'), '---\ntitle: Blank\n---\n');
    await expect(open()).rejects.toThrow(/no readable article/);
    await writeFile(path.join(kb, 'warranty.md'), WARRANTY);
    const index = await open();
    expect(index.stats.skipped.map((s) => s.file).sort()).toEqual(['blank.md', 'export.md']);
    expect(index.stats.skipped.find((s) => s.file === 'export.md')?.reason).toContain('larger than');
  });

  it('fuses vector similarity with BM25 when an embedder is set (reciprocal rank fusion)', async () => {
    await writeFile(path.join(kb, 'warranty.md'), WARRANTY);
    await writeFile(path.join(kb, 'returns.html'), HTML);
    // A toy embedder: "guarantee" means warranty, which BM25 alone cannot know.
    const embedder: Embedder = {
      model: 'toy',
      embed: async (texts) => texts.map((t) => [/(warranty|guarantee)/i.test(t) ? 1 : 0, /(return|refund)/i.test(t) ? 1 : 0, 0.01]),
    };
    expect(await (await open()).search('guarantee', 3)).toEqual([]);
    const hits = await (await open({ embedder })).search('guarantee', 3);
    expect(hits[0]?.title).toBe('Warranty');
  });

  it('answers a question the demo articles cannot, citing the article (offline model, real engine)', async () => {
    await writeFile(path.join(kb, 'warranty.md'), WARRANTY);
    h = await EngineHarness.create({ model: createOfflineModel({ intents }), env: { KB_DIR: kb, BUILTIN_TOOLS: 'demo' } });
    const turn = await h.send('What warranty do refurbished laptops have?');
    expect(turn.status).toBe('answered');
    const reply = h.channel.texts().at(-1)!;
    expect(reply).toContain('12-month');
    expect(reply).toContain('Sources: [Warranty › Refurbished laptops](https://help.example.com/warranty)');
  });

  it('tells the model to say so, instead of guessing, when no article covers the question', async () => {
    await writeFile(path.join(kb, 'warranty.md'), WARRANTY);
    const model = new ScriptedModel('gpt-4o-mini', [callTools({ name: 'search_knowledge_base', args: { query: 'pet insurance policy' } })]);
    model.fallback = (request) => answer(JSON.stringify(lastToolResult(request)));
    h = await EngineHarness.create({ model, env: { KB_DIR: kb } });
    await h.send('Do you cover pet insurance?');
    const result = lastToolResult(model.requests[1]) as { results: unknown[]; guidance?: string };
    expect(result.results).toEqual([]);
    expect(result.guidance).toMatch(/couldn't find it in the help center rather than guessing/);
    expect(h.channel.texts().at(-1)).not.toContain('Sources:');
  });
});
