import type { App } from '../../src/index';
import { IDS, blockText, startSlackHarness, type SlackHarness } from '../slack/harness';
import type { SimMessage } from '../simulators/slack/state';
import { startDemoEngine, type DemoEngine } from './demo-engine';
import type { Actor, ApprovalCard, BotMessage, OncallNotice, PlatformDriver, PlatformUser, PrivateOutcome, ThreadHandle } from './platform-driver';
import { waitUntil } from './wait';

/** Demo customers seeded in the helpdesk for Slack (src/helpdesk/seed.ts). */
const ALICE = 'U0DEMOALICE';
const BOB = 'U0DEMOBOB';

// What the adapter's Block Kit puts first on a card and on a notice (adapters/slack/*-blocks.ts).
const APPROVAL_FALLBACK = /^(🔐 Approval needed|✅ Approved|⛔ Denied|⌛ Expired): /;
const ESCALATION_FALLBACK = /^Escalation \(/;

/**
 * The Slack adapter (HTTP mode, signed Events API / interactivity / slash
 * command requests) over the Slack Web API simulator, driving the real engine.
 */
export class SlackDriver implements PlatformDriver {
  readonly platform = 'slack';
  readonly users: Record<Actor, PlatformUser> = { admin: { id: IDS.admin }, staff: { id: IDS.staff }, member: { id: ALICE }, otherMember: { id: BOB } };
  private engine: DemoEngine | undefined;
  private harness: SlackHarness<App['engine']> | undefined;
  /** Hosted response URLs handed out, by the user whose click or command they answer. */
  private readonly responseUrls: Array<{ url: string; user: string }> = [];

  async start(): Promise<void> {
    this.engine = await startDemoEngine();
    try {
      this.harness = await startSlackHarness({ engine: this.engine.app.engine });
    } catch (error) {
      await this.engine.close();
      throw error;
    }
    // Plain full members, so Slack makes them `member`; their ids link them to demo customers.
    this.h.sim.workspace.addUser({ id: ALICE, name: 'alice', profile: { display_name: 'Alice', real_name: 'Alice Martin' } });
    this.h.sim.workspace.addUser({ id: BOB, name: 'bob', profile: { display_name: 'Bob', real_name: 'Bob Chen' } });
  }

  async stop(): Promise<void> {
    await this.harness?.close();
    await this.engine?.close();
  }

  async mention(user: Actor, text: string): Promise<ThreadHandle> {
    const { sim, payloads } = this.h;
    const root = sim.workspace.userPost(IDS.support, this.users[user].id, `<@${sim.botUserId}> ${text}`);
    // Slack sends both events for a mention in a channel; they share the message id.
    await this.deliverEvent(payloads.appMention(root));
    await this.deliverEvent(payloads.message(root));
    await this.idle();
    return { id: root.ts };
  }

  async reply(thread: ThreadHandle, user: Actor, text: string): Promise<void> {
    const m = this.h.sim.workspace.userPost(IDS.support, this.users[user].id, text, thread.id);
    await this.deliverEvent(this.h.payloads.message(m));
    await this.idle();
  }

  async openUnrelatedThread(user: Actor, text: string): Promise<ThreadHandle> {
    const root = this.h.sim.workspace.userPost(IDS.support, this.users[user].id, text);
    await this.deliverEvent(this.h.payloads.message(root));
    await this.idle();
    return { id: root.ts };
  }

  botMessages(thread: ThreadHandle): BotMessage[] {
    return this.h.sim.workspace.botMessagesIn(IDS.support, thread.id).map((m) => ({ id: m.ts, text: textOf(m) }));
  }

  waitForBotMessage(thread: ThreadHandle, predicate: (message: BotMessage, index: number) => boolean): Promise<BotMessage> {
    return waitUntil(`a matching slack bot message in thread ${thread.id}`, () => this.botMessages(thread).find(predicate));
  }

  approvalCards(thread: ThreadHandle): ApprovalCard[] {
    return this.h.sim.workspace
      .botMessagesIn(IDS.support, thread.id)
      .filter((m) => APPROVAL_FALLBACK.test(m.text))
      .map((m) => ({ id: m.ts, text: textOf(m), hasButtons: actionIds(m).some((a) => a.startsWith('approval_')), edits: m.updates }));
  }

  click(card: ApprovalCard, decision: 'approve' | 'deny', user: Actor): Promise<PrivateOutcome> {
    return this.clickButton(IDS.support, card.id, `approval_${decision}`, user);
  }

  privateNotes(user: Actor): string[] {
    const id = this.users[user].id;
    const ephemerals = this.h.sim.workspace.ephemerals.filter((e) => e.via === 'chat.postEphemeral' && e.user === id).map((e) => e.text || blockText(e.blocks));
    const responses = this.responseUrls.filter((r) => r.user === id).flatMap((r) => this.responsesAt(r.url));
    return [...ephemerals, ...responses];
  }

  oncallNotices(): OncallNotice[] {
    return this.h.sim.workspace
      .botMessagesIn(IDS.oncall)
      .filter((m) => ESCALATION_FALLBACK.test(m.text))
      .map((m) => ({
        id: m.ts,
        text: textOf(m),
        actions: actionIds(m).flatMap((a) => (a === 'escalation_claim' ? ['claim' as const] : a === 'escalation_handback' ? ['handback' as const] : [])),
        edits: m.updates,
      }));
  }

  claim(notice: OncallNotice, user: Actor): Promise<PrivateOutcome> {
    return this.clickButton(IDS.oncall, notice.id, 'escalation_claim', user);
  }

  /** Slack sends slash commands without their thread, so hand-back names it by link (as the help text says). */
  async handBack(thread: ThreadHandle, user: Actor): Promise<PrivateOutcome> {
    const { sim, payloads, delivery } = this.h;
    const root = sim.workspace.findMessage(IDS.support, thread.id);
    if (!root) throw new Error(`no slack thread ${thread.id}`);
    const responseUrl = this.responseUrl(user);
    const answer = await delivery.command(payloads.slashCommand({ user: this.users[user].id, channel: IDS.support, text: `handback ${sim.permalink(root)}`, responseUrl }));
    if (answer.status !== 200) throw new Error(`slack answered /support with HTTP ${answer.status}`);
    await this.idle();
    return { privateNotes: this.responsesAt(responseUrl) };
  }

  async idle(): Promise<void> {
    await this.h.settle();
  }

  refunds(chargeId: string) {
    if (!this.engine) throw new Error('driver not started');
    return this.engine.refunds(chargeId);
  }

  private get h(): SlackHarness<App['engine']> {
    if (!this.harness) throw new Error('driver not started');
    return this.harness;
  }

  private async deliverEvent(envelope: object): Promise<void> {
    const answer = await this.h.delivery.event(envelope);
    if (answer.status !== 200) throw new Error(`slack adapter answered an event with HTTP ${answer.status}`);
  }

  /**
   * A click as Slack sends it, built from the message as it is now. Private notes are the
   * clicker's ephemerals that arrived meanwhile: Slack's carry no click id, so a user's
   * concurrent clicks share them.
   */
  private async clickButton(channel: string, ts: string, actionId: string, user: Actor): Promise<PrivateOutcome> {
    const { sim, payloads, delivery } = this.h;
    const message = sim.workspace.findMessage(channel, ts);
    if (!message) throw new Error(`no slack message ${channel}/${ts}`);
    const id = this.users[user].id;
    const seen = sim.workspace.ephemerals.length;
    const responseUrl = this.responseUrl(user);
    const answer = await delivery.interaction(payloads.blockAction({ user: id, message, actionId, responseUrl }));
    if (answer.status !== 200) throw new Error(`slack adapter answered a click with HTTP ${answer.status}`);
    await this.idle();
    const notes = sim.workspace.ephemerals
      .slice(seen)
      .filter((e) => e.via === 'chat.postEphemeral' && e.user === id)
      .map((e) => e.text || blockText(e.blocks));
    return { privateNotes: [...notes, ...this.responsesAt(responseUrl)] };
  }

  private responseUrl(user: Actor): string {
    const url = this.h.sim.responseUrl();
    this.responseUrls.push({ url, user: this.users[user].id });
    return url;
  }

  /** Ephemeral answers posted to one response URL. */
  private responsesAt(url: string): string[] {
    return this.h.sim.responses
      .filter((r) => url.endsWith(`/${r.id}`) && r.body.response_type === 'ephemeral')
      .map((r) => [typeof r.body.text === 'string' ? r.body.text : '', blockText(r.body.blocks as unknown[] | undefined)].join('\n').trim());
  }
}

/** Fallback text plus every text in the blocks: what a reader can see. */
function textOf(m: SimMessage): string {
  return `${m.text}\n${blockText(m.blocks)}`;
}

function actionIds(m: SimMessage): string[] {
  return ((m.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id?: string }> }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .flatMap((e) => (e.action_id ? [e.action_id] : []));
}
