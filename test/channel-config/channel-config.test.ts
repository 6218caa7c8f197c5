import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../src/channel-config/agent-config';
import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { loadMcpConfig } from '../../src/mcp/mcp-config';
import { EngineHarness } from '../support/engine-harness';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'channel-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(text: string, ext = 'yaml'): Promise<string> {
  const name = path.join(dir, `agent-${++n}.${ext}`);
  await writeFile(name, text);
  return name;
}

/** The ConfigError loading `text` as AGENT_CONFIG throws (fails the test when it loads). */
async function errorOf(text: string, ext = 'yaml'): Promise<ConfigError> {
  const error = await loadAgentConfig(await file(text, ext), {}, 'AGENT_CONFIG').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).variables).toContain('AGENT_CONFIG');
  return error as ConfigError;
}

describe('channels: in the agent configuration file', () => {
  it('reads default and per-channel entries; fields left out come from default; ids keep every digit', async () => {
    const config = await loadAgentConfig(
      await file(`
servers:
  billing:
    url: http://127.0.0.1:9/mcp
channels:
  default:
    tools: [helpdesk]
    mcp: []
    oncall: [C0ONCALL, "223456789012345678"]
  C0BILLING:
    mcp: [billing]
    respond: all
    oncall: slack:C0BILLONCALL
  123456789012345678:
    respond: all
    knowledge: false
    oncall: 323456789012345678
`),
      {},
      'AGENT_CONFIG',
    );
    const { channels } = config;
    expect(Object.keys(config.mcp.servers)).toEqual(['billing']);
    expect(channels.of('slack', 'C0BILLING')).toMatchObject({ tools: ['helpdesk'], mcp: ['billing'], knowledge: true, respond: 'all', oncall: 'C0BILLONCALL' });
    expect(channels.of('slack', 'C0OTHER')).toMatchObject({ key: 'default', tools: ['helpdesk'], mcp: [], respond: 'mentions', oncall: 'C0ONCALL' });
    // YAML integers of 18 digits are not rounded to JS numbers.
    expect(channels.channelIds('discord')).toEqual(['123456789012345678']);
    expect(channels.of('discord', '123456789012345678')).toMatchObject({ respond: 'all', knowledge: false, oncall: '323456789012345678' });
    expect(channels.of('discord', '999999999999999999')).toMatchObject({ respond: 'mentions', oncall: '223456789012345678' });
    expect(channels.oncallIds('slack').sort()).toEqual(['C0BILLONCALL', 'C0ONCALL']);
  });

  it('MCP_CONFIG still reads a file that has only servers, and one with channels too', async () => {
    const servers = `servers:\n  files:\n    command: node\n`;
    expect(Object.keys((await loadMcpConfig(await file(servers), {})).servers)).toEqual(['files']);
    const both = await file(`${servers}channels:\n  default:\n    respond: all\n`);
    expect(Object.keys((await loadMcpConfig(both, {})).servers)).toEqual(['files']);
    expect((await loadAgentConfig(both, {}, 'MCP_CONFIG')).channels.respondMode('slack', 'C0ANY')).toBe('all');
  });

  it.each([
    ['an MCP server that does not exist', `channels:\n  C0A1:\n    mcp: [billing]\n`, /AGENT_CONFIG: .*agent-\d+\.yaml: channels\.C0A1\.mcp: unknown MCP server\(s\) billing \(no servers are configured\)/],
    ['a key that is not a channel id', `channels:\n  general:\n    respond: all\n`, /channels\.general: "general" is not a channel id/],
    ['a wrong respond value', `channels:\n  C0A1:\n    respond: always\n`, /channels\.C0A1\.respond: must be mentions or all/],
    ['a misspelled field', `channels:\n  C0A1:\n    respnd: all\n`, /channels\.C0A1: Unrecognized key: "respnd"/],
    ['an on-call channel of another platform', `channels:\n  C0A1:\n    oncall: "123456789012345678"\n`, /channels\.C0A1\.oncall: "123456789012345678" is a discord channel, but C0A1 is a slack channel/],
    ['one channel written twice', `channels:\n  C0A1: {respond: all}\n  slack:C0A1: {respond: mentions}\n`, /channels\.slack:C0A1: the same channel as channels\.C0A1/],
    ['two on-call channels of one platform', `channels:\n  default:\n    oncall: [C0A1, C0A2]\n`, /channels\.default\.oncall: two slack channels/],
    ['a bad prefixed id', `channels:\n  discord:general: {}\n`, /"discord:general" is not a Discord channel id/],
    ['channels that are not a map', `channels: [C0A1]\n`, /channels: must be a map of channel ids/],
  ])('refuses %s with an error naming it', async (_what, text, message) => {
    expect((await errorOf(text)).message).toMatch(message);
  });

  it('refuses a Discord id written as a JSON number (its last digits are already lost)', async () => {
    const error = await errorOf(JSON.stringify({ channels: { '123456789012345678': { oncall: 1 } } }).replace('1}', '123456789012345679}'), 'json');
    expect(error.message).toMatch(/channels\.123456789012345678\.oncall\.0: must be a channel id written as a string/);
  });

  it('lists every problem of the file at once', async () => {
    const error = await errorOf(`channels:\n  general: {}\n  C0A1:\n    mcp: [crm]\n`);
    expect(error.message).toMatch(/channels\.general: .*; channels\.C0A1\.mcp: unknown MCP server/);
  });

  it('AGENT_CONFIG and MCP_CONFIG may name the same file but not two', async () => {
    const one = await file('channels: {}\n');
    expect(loadConfig({ AGENT_CONFIG: one, MCP_CONFIG: one }).agentConfig).toEqual({ file: one, variable: 'AGENT_CONFIG' });
    expect(loadConfig({ MCP_CONFIG: one }).agentConfig).toEqual({ file: one, variable: 'MCP_CONFIG' });
    expect(() => loadConfig({ AGENT_CONFIG: one, MCP_CONFIG: path.join(dir, 'other.yaml') })).toThrow(/AGENT_CONFIG and MCP_CONFIG name different files/);
  });

  it('a tool group no source provides stops the start, naming it and the groups there are', async () => {
    const config = await file(`channels:\n  default:\n    tools: [helpdsk]\n  C0A1:\n    tools: [code, crm]\n`);
    const error = await EngineHarness.create({ env: { AGENT_CONFIG: config } }).then(
      async (h) => {
        await h.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual(['AGENT_CONFIG']);
    expect((error as Error).message).toMatch(
      /AGENT_CONFIG: .*: channels\.default\.tools: unknown tool group "helpdsk"; channels\.slack:C0A1\.tools: unknown tool group "crm" \(tool groups here: code; MCP servers: none\)/,
    );
  });
});
