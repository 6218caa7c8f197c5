import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ENGINE_ENV_NAMES, loadConfig } from '../../src/config';

async function documented(): Promise<Map<string, string>> {
  const text = await readFile('.env.example', 'utf8');
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) vars.set(m[1] as string, m[2] as string);
  }
  return vars;
}

describe('.env.example', () => {
  it('documents every engine variable', async () => {
    const vars = await documented();
    const missing = ENGINE_ENV_NAMES.filter((name) => name !== 'NODE_ENV' && !vars.has(name));
    expect(missing).toEqual([]);
  });

  it('is itself a valid configuration when copied to .env as is', async () => {
    const env = Object.fromEntries(await documented());
    expect(() => loadConfig(env)).not.toThrow();
  });
});
