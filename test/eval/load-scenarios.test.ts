import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarios, parseScenario, ScenarioFileError } from '../../eval/load-scenarios';

const valid = `name: ok
speakers:
  alice: { customer: alice, role: member }
turns:
  - say: hello
`;

function errorOf(text: string): ScenarioFileError {
  try {
    parseScenario('bad.yaml', text);
  } catch (error) {
    if (error instanceof ScenarioFileError) return error;
    throw error;
  }
  throw new Error('expected a ScenarioFileError');
}

describe('scenario files', () => {
  it('parses a minimal scenario with defaults filled', () => {
    const scenario = parseScenario('ok.yaml', valid);
    expect(scenario.setup.platform).toBe('slack');
    expect(scenario.expect).toEqual({});
    expect(scenario.turns).toEqual([{ say: 'hello' }]);
  });

  it('a wrong type names the file, the line and the field', () => {
    const error = errorOf(`${valid}  - say: 42\n`);
    expect(error.message).toMatch(/^bad\.yaml:6: turns\[1\]/);
    expect([error.file, error.line]).toEqual(['bad.yaml', 6]);
  });

  it('an unknown or misspelt key points at its own line', () => {
    const error = errorOf(`${valid}expect:\n  escalated: false\n  replyMatchs: [x]\n`);
    expect(error.message).toMatch(/^bad\.yaml:8: expect\.replyMatchs: /);
  });

  it('a bad enum value names the nested field', () => {
    const error = errorOf(valid.replace('role: member', 'role: superuser'));
    expect(error.message).toMatch(/^bad\.yaml:3: speakers\.alice\.role: /);
  });

  it('YAML syntax errors carry the line too', () => {
    const error = errorOf(`${valid}expect: [unclosed\n`);
    expect(error.file).toBe('bad.yaml');
    expect(error.line).toBeGreaterThanOrEqual(6);
  });

  it('loadScenarios fails on the first bad file with its path', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'eval-load-'));
    try {
      await writeFile(path.join(dir, 'a.yaml'), valid);
      await writeFile(path.join(dir, 'b.yaml'), valid.replace('- say: hello', '- say: hello\n  - click: approve'));
      await expect(loadScenarios(dir)).rejects.toThrow(`${path.join(dir, 'b.yaml')}:6: turns[1]`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('every shipped scenario file is valid, and there are at least 40', async () => {
    const loaded = await loadScenarios(path.join(import.meta.dirname, '../../eval/scenarios'));
    expect(loaded.length).toBeGreaterThanOrEqual(40);
  });
});
