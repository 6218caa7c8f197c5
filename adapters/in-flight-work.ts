import type { ConversationRef, Engine } from '../src/index';

/** The engine as adapters see it, plus what it is working on right now. */
export interface TrackedEngine {
  /** Hand this to adapters: same behaviour, every call counted while it runs. */
  engine: Engine;
  /** One line per call still running, e.g. `turn slack T1/C1/1700000000.1`; ids only, never message text. */
  pending(): string[];
}

const where = (c: ConversationRef) => `${c.platform} ${c.workspaceId}/${c.channelId}/${c.threadId}`;

/**
 * Wrap the engine so shutdown can say what it abandons when the deadline
 * passes: turns, approval decisions, claims, hand-backs and commands that
 * adapters started and that have not finished.
 */
export function trackEngineWork(inner: Engine): TrackedEngine {
  const running = new Map<number, string>();
  let next = 0;
  const track = <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const id = next++;
    running.set(id, label);
    return work().finally(() => running.delete(id));
  };
  const engine: Engine = {
    attach: (channel) => inner.attach(channel),
    handleMessage: (message) => track(`turn ${where(message.conversation)}`, () => inner.handleMessage(message)),
    isActiveConversation: (conversation) => inner.isActiveConversation(conversation),
    decideApproval: (input) => track(`approval decision ${input.approvalId}`, () => inner.decideApproval(input)),
    approval: (approvalId) => inner.approval(approvalId),
    claimEscalation: (input) => track(`escalation claim ${input.escalationId}`, () => inner.claimEscalation(input)),
    handBack: (input) => track(`hand-back ${where(input.conversation)}`, () => inner.handBack(input)),
    feedback: (input) => track(`feedback ${where(input.conversation)}`, () => inner.feedback(input)),
    resolveConversation: (input) => track(`resolve ${where(input.conversation)}`, () => inner.resolveConversation(input)),
    talkToHuman: (input) => track(`talk to a human ${where(input.conversation)}`, () => inner.talkToHuman(input)),
    outcomes: () => inner.outcomes(),
    command: (input) => track(`command ${input.name}`, () => inner.command(input)),
    stopTurn: (input) => inner.stopTurn(input),
    status: () => inner.status(),
    costReport: (caller) => inner.costReport(caller),
    sweep: () => inner.sweep(),
    start: () => inner.start(),
    stop: () => inner.stop(),
  };
  return { engine, pending: () => [...running.values()] };
}
