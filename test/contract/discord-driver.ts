import { ChannelType, GatewayDispatchEvents, GatewayIntentBits, MessageFlags, type APIMessage } from 'discord.js';
import { startDiscord, type DiscordAdapter } from '../../adapters/discord/index';
import { CapturingLogger, botMessages } from '../discord/harness';
import { DiscordSimulator, type SimInteraction } from '../simulators/discord/discord-simulator';
import { channelJson } from '../simulators/discord/payloads';
import type { SimChannel } from '../simulators/discord/world';
import { startDemoEngine, type DemoEngine } from './demo-engine';
import { EngineProbe, type ProbeCall } from './engine-probe';
import type { Actor, ApprovalCard, BotMessage, OncallNotice, PlatformDriver, PlatformUser, PrivateOutcome, ThreadHandle } from './platform-driver';
import { waitUntil } from './wait';

/** Demo customers seeded in the helpdesk for Discord (src/helpdesk/seed.ts). */
const ALICE = '100000000000000001';
const BOB = '100000000000000002';

/**
 * The Discord adapter (discord.js over the simulated gateway and REST API)
 * driving the real engine. The adapter has no `idle()`, so completion is read
 * from what it asks of the engine (an `EngineProbe`) and from the interaction
 * responses the simulator records.
 */
export class DiscordDriver implements PlatformDriver {
  readonly platform = 'discord';
  private engine: DemoEngine | undefined;
  private simulator: DiscordSimulator | undefined;
  private adapter: DiscordAdapter | undefined;
  private probe: EngineProbe | undefined;
  /** Button clicks sent, with what the engine call they cause is keyed on. */
  private readonly clicks: Array<{ interaction: SimInteraction; method: ProbeCall['method']; key: string }> = [];

  get users(): Record<Actor, PlatformUser> {
    const cast = this.sim.world.fixture.users;
    return { admin: { id: cast.admin }, staff: { id: cast.staff }, member: { id: ALICE }, otherMember: { id: BOB } };
  }

  async start(): Promise<void> {
    this.engine = await startDemoEngine();
    try {
      this.simulator = await DiscordSimulator.start();
      addDemoCustomers(this.simulator);
      this.probe = new EngineProbe(this.engine.app.engine);
      this.adapter = await startDiscord({ engine: this.probe, env: this.simulator.env(), logger: new CapturingLogger() });
    } catch (error) {
      await this.simulator?.close();
      await this.engine.close();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.adapter?.stop();
    await this.simulator?.close();
    await this.engine?.close();
  }

  async mention(user: Actor, text: string): Promise<ThreadHandle> {
    const message = this.sim.actions.say({ from: this.users[user].id, channelId: this.fixture.supportChannelId, content: text, mentionBot: true });
    await this.handled(message.id);
    // Discord threads started from a message take the message's id.
    if (this.sim.world.channels.get(message.id)?.type !== ChannelType.PublicThread) throw new Error('the bot answered without opening a thread');
    return { id: message.id };
  }

  async reply(thread: ThreadHandle, user: Actor, text: string): Promise<void> {
    const checksBefore = this.activeChecks(thread.id).length;
    const message = this.sim.actions.say({ from: this.users[user].id, channelId: thread.id, content: text });
    // Either the adapter hands the message to the engine, or it learns the thread is not the bot's and drops it.
    const declined = await waitUntil(`discord adapter to take or drop message ${message.id}`, () => {
      if (this.callFor(message.id)) return 'taken';
      return this.activeChecks(thread.id).slice(checksBefore).some((c) => c.settled && c.result === false) && 'declined';
    });
    // Dropping happens right after that answer; give the handler one turn of the event loop to prove it.
    if (declined === 'declined') await new Promise((resolve) => setImmediate(resolve));
    if (this.callFor(message.id)) await this.handled(message.id);
  }

  async openUnrelatedThread(user: Actor, text: string): Promise<ThreadHandle> {
    const from = this.users[user].id;
    const root = this.sim.actions.say({ from, channelId: this.fixture.supportChannelId, content: text });
    // A thread the user starts from their own message, as the Discord client does; the gateway tells the bot.
    const thread: SimChannel = { id: root.id, type: ChannelType.PublicThread, name: text.slice(0, 100), guildId: this.fixture.guildId, parentId: this.fixture.supportChannelId, ownerId: from, recipientId: null, messageIds: [] };
    this.sim.world.channels.set(thread.id, thread);
    this.sim.gateway.dispatch(GatewayDispatchEvents.ThreadCreate, { ...channelJson(this.sim.world, thread), newly_created: true }, GatewayIntentBits.Guilds);
    return { id: thread.id };
  }

  botMessages(thread: ThreadHandle): BotMessage[] {
    return botMessages(this.sim, thread.id).map((m) => ({ id: m.id, text: textOf(m) }));
  }

  waitForBotMessage(thread: ThreadHandle, predicate: (message: BotMessage, index: number) => boolean): Promise<BotMessage> {
    return waitUntil(`a matching discord bot message in thread ${thread.id}`, () => this.botMessages(thread).find(predicate));
  }

  approvalCards(thread: ThreadHandle): ApprovalCard[] {
    return botMessages(this.sim, thread.id)
      .filter((m) => m.embeds[0]?.footer?.text.startsWith('Approval ') === true)
      .map((m) => ({ id: m.id, text: textOf(m), hasButtons: customIds(m).some((id) => id.startsWith('approval:')), edits: this.edits(m.id) }));
  }

  click(card: ApprovalCard, decision: 'approve' | 'deny', user: Actor): Promise<PrivateOutcome> {
    const customId = this.button(card.id, `approval:${decision}:`);
    return this.clickButton(card.id, customId, user, 'decideApproval', customId.slice(`approval:${decision}:`.length) + `:${decision}`);
  }

  privateNotes(user: Actor): string[] {
    const id = this.users[user].id;
    return [...this.sim.interactions.values()]
      .filter((i) => i.userId === id)
      .flatMap((i) => [...(i.original ? [i.original] : []), ...i.followUps])
      .filter(isPrivate)
      .map(textOf);
  }

  oncallNotices(): OncallNotice[] {
    return botMessages(this.sim, this.fixture.oncallChannelId)
      .filter((m) => m.embeds[0]?.footer?.text.startsWith('Escalation ') === true)
      .map((m) => ({
        id: m.id,
        text: textOf(m),
        actions: customIds(m).flatMap((id) => (id.startsWith('escalation:claim:') ? ['claim' as const] : id.startsWith('handback:') ? ['handback' as const] : [])),
        edits: this.edits(m.id),
      }));
  }

  claim(notice: OncallNotice, user: Actor): Promise<PrivateOutcome> {
    const customId = this.button(notice.id, 'escalation:claim:');
    return this.clickButton(notice.id, customId, user, 'claimEscalation', customId.slice('escalation:claim:'.length));
  }

  /** `/support handback` typed in the thread itself. */
  async handBack(thread: ThreadHandle, user: Actor): Promise<PrivateOutcome> {
    const run = this.sim.actions.command({ by: this.users[user].id, channelId: thread.id, subcommand: 'handback' });
    const reply = await waitUntil('the /support handback reply', () => run.original && ((run.original.flags ?? 0) & MessageFlags.Loading) === 0 && run.original);
    return { privateNotes: [reply, ...run.followUps].filter(isPrivate).map(textOf) };
  }

  async idle(): Promise<void> {
    await waitUntil('discord adapter to finish', () => [...this.sim.interactions.values()].every((i) => i.ack !== undefined) && this.p.inFlight === 0);
    await Promise.all(this.clicks.map((c) => this.clickDone(c.interaction, c.method, c.key)));
  }

  refunds(chargeId: string) {
    if (!this.engine) throw new Error('driver not started');
    return this.engine.refunds(chargeId);
  }

  private get sim(): DiscordSimulator {
    if (!this.simulator) throw new Error('driver not started');
    return this.simulator;
  }

  private get p(): EngineProbe {
    if (!this.probe) throw new Error('driver not started');
    return this.probe;
  }

  private get fixture() {
    return this.sim.world.fixture;
  }

  private callFor(messageId: string): ProbeCall | undefined {
    return this.p.calls.find((c) => c.method === 'handleMessage' && c.messageId === messageId);
  }

  private activeChecks(threadId: string): ProbeCall[] {
    return this.p.calls.filter((c) => c.method === 'isActiveConversation' && c.threadId === threadId);
  }

  private async handled(messageId: string): Promise<void> {
    await waitUntil(`the engine to finish message ${messageId}`, () => this.callFor(messageId)?.settled);
  }

  /** How many times the bot edited a message through the REST API. */
  private edits(messageId: string): number {
    return this.sim.requestsTo('PATCH', '/channels/:channelId/messages/:messageId').filter((r) => r.params.messageId === messageId && r.status < 300).length;
  }

  /** The custom id of a button still on the message; Discord only delivers clicks on buttons that are there. */
  private button(messageId: string, prefix: string): string {
    const message = this.sim.world.messages.get(messageId);
    const id = message && customIds(message).find((c) => c.startsWith(prefix));
    if (!id) throw new Error(`message ${messageId} has no ${prefix}… button`);
    return id;
  }

  private async clickButton(messageId: string, customId: string, user: Actor, method: ProbeCall['method'], key: string): Promise<PrivateOutcome> {
    const interaction = this.sim.actions.click({ by: this.users[user].id, messageId, customId });
    this.clicks.push({ interaction, method, key });
    await this.clickDone(interaction, method, key);
    return { privateNotes: interaction.followUps.filter(isPrivate).map(textOf) };
  }

  /**
   * A click is done once Discord got its acknowledgement, the engine answered
   * every click on the same thing by the same user, and each answer that the
   * adapter reports privately (refusals; claims always) has its follow-up.
   */
  private async clickDone(interaction: SimInteraction, method: ProbeCall['method'], key: string): Promise<void> {
    await waitUntil('discord to receive the click acknowledgement', () => interaction.ack);
    const same = this.clicks.filter((c) => c.method === method && c.key === key && c.interaction.userId === interaction.userId);
    await waitUntil(`the engine and adapter to finish ${method}`, () => {
      const calls = this.p.calls.filter((c) => c.method === method && c.settled && c.userId === interaction.userId && keyOf(c) === key);
      if (calls.length < same.length) return false;
      const reported = calls.filter((c) => c.method === 'claimEscalation' || c.failed || (c.result as { ok?: boolean } | undefined)?.ok === false).length;
      return same.reduce((n, c) => n + c.interaction.followUps.length, 0) >= reported;
    });
  }
}

function keyOf(call: ProbeCall): string | undefined {
  return call.method === 'decideApproval' ? `${call.targetId}:${call.decision}` : call.targetId;
}

/** Alice and Bob as plain guild members, with the ids the demo helpdesk links to their accounts. */
function addDemoCustomers(sim: DiscordSimulator): void {
  const guild = sim.world.guilds.get(sim.world.fixture.guildId)!;
  const joinedAt = new Date(Date.now() - 86_400_000).toISOString();
  for (const [id, username] of [
    [ALICE, 'alice'],
    [BOB, 'bob'],
  ] as const) {
    sim.world.users.set(id, { id, username, globalName: username[0]!.toUpperCase() + username.slice(1), bot: false });
    guild.members.set(id, { userId: id, roleIds: [], nick: null, joinedAt });
  }
}

function isPrivate(m: APIMessage): boolean {
  return ((m.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
}

/** Content plus everything in the embeds: what a reader can see. */
function textOf(m: APIMessage): string {
  return [m.content, ...m.embeds.flatMap((e) => [e.title, e.description, ...(e.fields ?? []).flatMap((f) => [f.name, f.value]), e.footer?.text])]
    .filter(Boolean)
    .join('\n');
}

function customIds(m: APIMessage): string[] {
  return ((m.components ?? []) as Array<{ components?: Array<{ custom_id?: string }> }>).flatMap((row) => (row.components ?? []).flatMap((b) => (b.custom_id ? [b.custom_id] : [])));
}
