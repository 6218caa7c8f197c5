import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSpecialistsFromDir } from '../../src/specialists/load-specialists';
import { EngineHarness } from '../support/engine-harness';
import { answer, ScriptedModel } from '../support/scripted-model';

describe('specialists declared by plugins (TOOLS_DIR)', () => {
  let h: EngineHarness | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function pluginDir(source: string): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'plugin-specialists-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'warranty.ts'), source);
    return dir;
  }

  it('a plugin module exporting tools and a specialist routes its conversations to that specialist', async () => {
    const defineToolPath = path.resolve('src/tools/define-tool.ts');
    const dir = await pluginDir(`import { z } from 'zod';
       import { defineTool } from ${JSON.stringify(defineToolPath)};
       export const warranty = defineTool({ name: 'check_warranty', description: 'Warranty status', input: z.object({}), permission: 'member', execute: async () => ({ covered: true }) });
       export const other = defineTool({ name: 'other_tool', description: 'Something else', input: z.object({}), permission: 'member', execute: async () => ({}) });
       export const specialists = [{ name: 'warranty', description: 'warranty claims', instructions: 'WARRANTY-RULES', tools: ['check_warranty'], keywords: ['warranty'] }];`);
    const model = new ScriptedModel('gpt-4o-mini', [answer('Covered.')]);
    h = await EngineHarness.create({ model, env: { TOOLS_DIR: dir } });
    await h.send('is my warranty still valid?');
    expect(model.requests[0]!.tools.map((t) => t.name).sort()).toEqual(['check_warranty', 'escalate_to_human', 'transfer_to_specialist']);
    const system = model.requests[0]!.messages[0];
    expect(system?.role === 'system' && system.content).toContain('WARRANTY-RULES');
  });

  it('a bad declaration stops start-up naming the module', async () => {
    const dir = await pluginDir(`export const specialists = [{ name: 'Bad Name', description: 'x', instructions: 'y', tools: [] }];`);
    await expect(loadSpecialistsFromDir(dir)).rejects.toMatchObject({ variables: ['TOOLS_DIR'], message: expect.stringContaining('warranty.ts') });
  });
});
