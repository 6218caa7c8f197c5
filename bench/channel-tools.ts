/**
 * Per-step cost of channel tool scoping (AGENT_CONFIG `channels:`): what the
 * loop does on every model call of a conversation in a restricted channel
 * (`restrict`, a cache hit after the first step), the refusal check per tool
 * call (`allows`), and the first step in a channel (a cache miss building the
 * channel's registry). 40 tools in 4 groups, 50 configured channels.
 * Usage: npx tsx bench/channel-tools.ts [iterations=200000]
 * Prints CPU ns per operation (best of 7 rounds; CPU time, not wall time).
 */
import { z } from 'zod';
import { ChannelSettings, type ChannelEntry } from '../src/channel-config/channel-settings';
import { ChannelTools } from '../src/channel-config/channel-tools';
import { defineTool } from '../src/tools/define-tool';
import { ToolRegistry } from '../src/tools/registry';

const iterations = Number(process.argv[2] ?? 200_000);

const registry = new ToolRegistry();
for (const group of ['helpdesk', 'tools_dir', 'mcp:billing', 'mcp:crm']) {
  registry.setGroup(
    group,
    Array.from({ length: 10 }, (_, i) =>
      defineTool({ name: `${group.replace(':', '_')}_tool_${i}`, description: `Tool ${i} of ${group}`, input: z.object({ id: z.string() }), permission: 'member', approval: 'none', execute: async () => ({}) }),
    ),
  );
}
const channels = new Map<string, ChannelEntry>();
for (let i = 0; i < 50; i++) channels.set(`slack:C${String(i).padStart(4, '0')}`, { tools: ['helpdesk'], mcp: i % 2 === 0 ? ['billing'] : [], respond: 'all' });
const settings = new ChannelSettings({ default: { tools: ['tools_dir'], mcp: [] }, channels });
const tools = new ChannelTools({ settings, registry });
const conversation = { platform: 'slack', channelId: 'C0007' };

function cpuNsPer(run: (i: number) => void, n: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 7; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) run(i);
    const used = process.cpuUsage(start);
    best = Math.min(best, ((used.user + used.system) * 1_000) / n);
  }
  return best;
}

tools.restrict(conversation, registry);
const rows: Array<[string, number]> = [
  ['restrict (cache hit, every step)', cpuNsPer(() => tools.restrict(conversation, registry), iterations)],
  ['allows (per tool call)', cpuNsPer((i) => tools.allows(conversation, i % 2 === 0 ? 'helpdesk_tool_3' : 'mcp_crm_tool_1'), iterations)],
  [
    'restrict (cache miss: first step in a channel)',
    cpuNsPer(() => new ChannelTools({ settings, registry }).restrict(conversation, registry), Math.max(1, Math.floor(iterations / 100))),
  ],
];
for (const [name, ns] of rows) console.log(`${name.padEnd(48)} ${ns.toFixed(0).padStart(8)} ns`);
