/**
 * What a person can do on a chat platform and what they can see, in
 * platform-neutral terms, so one contract suite (`platform-contract.ts`) runs
 * unchanged against every adapter. A driver owns a simulator, the real adapter
 * and the real engine; the suite never sees a Slack `ts` or a Discord snowflake
 * except as opaque ids.
 */

/** The people the contract needs, by the role the platform gives them. */
export type Actor = 'admin' | 'staff' | 'member' | 'otherMember';

/** A seeded platform user standing in for an actor. */
export interface PlatformUser {
  /** Platform user id as it appears in mentions (`<@id>`) on rendered messages. */
  id: string;
}

/** A conversation thread; `id` is opaque (Slack root `ts`, Discord thread id). */
export interface ThreadHandle {
  readonly id: string;
}

/** A message the bot shows in a thread, rendered to plain text (cards included). */
export interface BotMessage {
  id: string;
  text: string;
}

/** An approval request card as users see it now. */
export interface ApprovalCard {
  /** Platform message id of the card. */
  id: string;
  /** Everything rendered on the card: title, action, fields, outcome line. */
  text: string;
  /** Whether Approve/Deny are still on the card. */
  hasButtons: boolean;
  /** How many times the bot edited the card since it was posted (compare before/after, not absolute). */
  edits: number;
}

/** An escalation notice in the on-call destination, as on-call staff see it now. */
export interface OncallNotice {
  id: string;
  text: string;
  /** Buttons still offered on the notice. */
  actions: Array<'claim' | 'handback'>;
  /** How many times the bot edited the notice since it was posted. */
  edits: number;
}

/** What only the acting user saw in answer to a click or command (ephemeral messages). */
export interface PrivateOutcome {
  /** Texts of the private messages, in order; empty when the platform showed the user nothing. */
  privateNotes: string[];
}

/** A refund the demo helpdesk actually recorded (back office, not a platform observation). */
export interface RecordedRefund {
  chargeId: string;
  amountUsd: number;
}

export interface PlatformDriver {
  /** Platform name, for test titles. */
  readonly platform: string;
  /** Seeded users by role (after `start()`); `member` is demo customer Alice (with the double charge), `otherMember` is Bob. */
  readonly users: Record<Actor, PlatformUser>;

  /** Start simulator, engine and adapter. */
  start(): Promise<void>;
  /** Stop everything `start()` started and remove temporary data. */
  stop(): Promise<void>;

  /** A top-level mention of the bot in a support channel; resolves once the adapter handled it, with the thread the bot answers in. */
  mention(user: Actor, text: string): Promise<ThreadHandle>;
  /** A follow-up in a thread without mentioning the bot; resolves once the adapter handled it (answered or chose not to). */
  reply(thread: ThreadHandle, user: Actor, text: string): Promise<void>;
  /** A user starts a thread of their own in a support channel, without the bot. */
  openUnrelatedThread(user: Actor, text: string): Promise<ThreadHandle>;

  /** The bot's messages in the thread, oldest first. */
  botMessages(thread: ThreadHandle): BotMessage[];
  /** Resolves with the first bot message (by position) that matches; fails after a bounded wait. */
  waitForBotMessage(thread: ThreadHandle, predicate: (message: BotMessage, index: number) => boolean): Promise<BotMessage>;
  /** Approval cards in the thread, oldest first. */
  approvalCards(thread: ThreadHandle): ApprovalCard[];
  /** `user` clicks Approve or Deny on a card; resolves once the adapter handled the click. */
  click(card: ApprovalCard, decision: 'approve' | 'deny', user: Actor): Promise<PrivateOutcome>;
  /**
   * Every private note `user` has received so far. Use it to count notes across
   * concurrent clicks by one user: some platforms (Slack) cannot tell which click a note answered.
   */
  privateNotes(user: Actor): string[];

  /** Escalation notices in the on-call destination, oldest first. */
  oncallNotices(): OncallNotice[];
  /** `user` clicks Claim on a notice; resolves once the adapter handled the click. */
  claim(notice: OncallNotice, user: Actor): Promise<PrivateOutcome>;
  /** `user` hands the thread back to the bot the way the platform allows (slash command); resolves with the private reply. */
  handBack(thread: ThreadHandle, user: Actor): Promise<PrivateOutcome>;

  /** Wait until the adapter has nothing in flight. */
  idle(): Promise<void>;
  /** Refunds the demo helpdesk recorded for a charge. */
  refunds(chargeId: string): Promise<RecordedRefund[]>;
}
