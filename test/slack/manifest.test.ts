import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { SLACK_BOT_EVENTS, SLACK_BOT_SCOPES, SLACK_COMMAND, SLACK_EVENTS_PATH, SLACK_METHOD_SCOPES } from '../../adapters/slack/app-requirements';
import { IDS, blockText, startSlackHarness, waitFor } from './harness';

const manifestPath = fileURLToPath(new URL('../../manifest/slack-app.yaml', import.meta.url));

// The parts of Slack's app manifest schema this app relies on, with Slack's length limits.
const manifestSchema = z.object({
  _metadata: z.object({ major_version: z.literal(1) }).optional(),
  display_information: z.object({
    name: z.string().min(1).max(35),
    description: z.string().max(140),
    long_description: z.string().min(175).max(4000).optional(),
    background_color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  }),
  features: z.object({
    app_home: z.object({ messages_tab_enabled: z.boolean(), messages_tab_read_only_enabled: z.boolean() }).loose(),
    bot_user: z.object({ display_name: z.string().min(1).max(80), always_online: z.boolean() }),
    slash_commands: z.array(
      z.object({
        command: z.string().regex(/^\/[a-z0-9_-]{1,31}$/),
        url: z.url(),
        description: z.string().min(1).max(2000),
        usage_hint: z.string().max(1000).optional(),
        should_escape: z.boolean(),
      }),
    ),
  }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ request_url: z.url(), bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.boolean(), request_url: z.url() }),
    org_deploy_enabled: z.boolean(),
    socket_mode_enabled: z.boolean(),
    token_rotation_enabled: z.boolean(),
  }),
});

const manifest = manifestSchema.parse(parse(readFileSync(manifestPath, 'utf8')));

describe('manifest/slack-app.yaml', () => {
  it('requests exactly the bot scopes the adapter needs', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...SLACK_BOT_SCOPES]);
  });

  it('subscribes to exactly the events the adapter handles', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...SLACK_BOT_EVENTS]);
  });

  it('declares /support and interactivity on the one events endpoint, and allows DMs', () => {
    const command = manifest.features.slash_commands.find((c) => c.command === SLACK_COMMAND);
    expect(command).toBeDefined();
    expect(command!.usage_hint).toMatch(/status.*cost.*help.*handback/);
    const urls = [command!.url, manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url];
    for (const url of urls) expect(new URL(url).pathname).toBe(SLACK_EVENTS_PATH);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_read_only_enabled).toBe(false);
  });

  it('covers every Web API method the adapter actually calls', async () => {
    const h = await startSlackHarness({ env: { SLACK_STAFF_USERGROUP: IDS.staffHandle } });
    try {
      const root = h.sim.workspace.userPost(IDS.support, IDS.member, `<@${h.sim.botUserId}> refund`);
      await h.delivery.event(h.payloads.appMention(root));
      await h.settle();
      const conversation = h.engine.received[0]!.conversation;
      await h.engine.requestApproval(conversation, { id: 'apr_m' });
      const card = h.sim.workspace.botMessagesIn(IDS.support, root.ts).find((m) => blockText(m.blocks).includes('Approval needed'))!;
      await h.delivery.interaction(h.payloads.blockAction({ user: IDS.member2, message: card, actionId: 'approval_approve', responseUrl: h.sim.responseUrl() }));
      await h.engine.escalate(conversation, { id: 'esc_m' });
      await h.delivery.command(h.payloads.slashCommand({ user: IDS.staff, channel: IDS.support, text: 'status', responseUrl: h.sim.responseUrl() }));
      // A placeholder nobody answers is retired after its grace period (chat.delete).
      const stop = await h.engine.channel!.startWorking!(conversation);
      await stop();
      // The grace timer is not adapter work that settle() tracks: wait for the delete itself.
      await waitFor(() => h.sim.callsTo('chat.delete').length > 0);
      await h.settle();

      const used = [...new Set(h.sim.calls.map((c) => c.method))].sort();
      expect(used).toEqual(expect.arrayContaining(['auth.test', 'chat.postMessage', 'chat.update', 'chat.delete', 'chat.postEphemeral', 'chat.getPermalink', 'users.info', 'usergroups.list', 'usergroups.users.list']));
      for (const method of used) {
        expect(SLACK_METHOD_SCOPES, `scope table lacks ${method}`).toHaveProperty([method]);
        for (const scope of SLACK_METHOD_SCOPES[method]!) expect(manifest.oauth_config.scopes.bot).toContain(scope);
      }
    } finally {
      await h.close();
    }
  });
});
