/**
 * Closed-loop Slack load: N virtual users, each posting a signed
 * `app_mention` and waiting until the answer is visible in the simulated
 * workspace (posted, written over a placeholder with `chat.update`, or
 * streamed and stopped with `chat.stopStream`)
 * before posting the next. Most mentions open a thread; every k-th is a
 * follow-up mention in the user's previous thread.
 */
import { performance } from 'node:perf_hooks';
import type { SlackDelivery } from '../../test/simulators/slack/delivery';
import type { SlackPayloads } from '../../test/simulators/slack/payloads';
import type { SimCall } from '../../test/simulators/slack/state';
import type { SlackSimulator } from '../../test/simulators/slack/web-api';
import { mentionText, orderIdOfTurn, tagOf } from './slack-model-work';

export interface ClosedLoopOptions {
  sim: SlackSimulator;
  payloads: SlackPayloads;
  delivery: SlackDelivery;
  /** Channel the users write in. */
  channel: string;
  /** One Slack user per virtual user (at least as many as the largest run). */
  users: readonly string[];
  /** Every k-th turn of a user is a follow-up in its previous thread; 0 never. */
  followUpEvery: number;
  /** A turn with no visible answer after this long counts as failed. */
  turnTimeoutMs: number;
}

export interface LoadResult {
  /** POST -> answer visible, per turn, ms. */
  latencies: number[];
  seconds: number;
  followUps: number;
  failures: string[];
  /** Web API calls by method during the run. */
  webApiCalls: Record<string, number>;
}

interface Waiter {
  thread: string;
  orderId: string;
  resolve(problem?: string): void;
}

export class ClosedLoop {
  private tag = 0;
  private readonly waiters = new Map<number, Waiter>();

  constructor(private readonly options: ClosedLoopOptions) {
    options.sim.onCall = (call) => this.observe(call);
  }

  /** Run `turns` turns spread over `users` virtual users; resolves when all have answers (or timed out). */
  async run(turns: number, users: number): Promise<LoadResult> {
    const { sim } = this.options;
    if (users > this.options.users.length) throw new Error(`only ${this.options.users.length} users seeded`);
    const callsBefore = sim.calls.length;
    const latencies: number[] = [];
    const failures: string[] = [];
    let issued = 0;
    let followUps = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: users }, async (_, vu) => {
        const user = this.options.users[vu] as string;
        let lastThread: string | undefined;
        for (let k = 0; issued < turns; k++) {
          issued += 1;
          const followUp = lastThread !== undefined && this.options.followUpEvery > 0 && k % this.options.followUpEvery === this.options.followUpEvery - 1;
          if (followUp) followUps += 1;
          const outcome = await this.turn(user, followUp ? lastThread : undefined);
          if (!followUp) lastThread = outcome.thread;
          if (outcome.problem) failures.push(outcome.problem);
          else latencies.push(outcome.ms);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const webApiCalls: Record<string, number> = {};
    for (const call of sim.calls.slice(callsBefore)) webApiCalls[call.method] = (webApiCalls[call.method] ?? 0) + 1;
    return { latencies, seconds, followUps, failures, webApiCalls };
  }

  private async turn(user: string, thread: string | undefined): Promise<{ thread: string; ms: number; problem?: string }> {
    const { sim, payloads, delivery } = this.options;
    const tag = ++this.tag;
    const post = sim.workspace.userPost(this.options.channel, user, mentionText(sim.botUserId, tag), thread);
    const root = thread ?? post.ts;
    let timer: NodeJS.Timeout | undefined;
    const visible = new Promise<string | undefined>((resolve) => {
      this.waiters.set(tag, { thread: root, orderId: orderIdOfTurn(tag), resolve });
      timer = setTimeout(() => resolve(`turn t${tag}: no answer within ${this.options.turnTimeoutMs} ms`), this.options.turnTimeoutMs);
    });
    const started = performance.now();
    const res = await delivery.event(payloads.appMention(post));
    let problem = res.status === 200 ? undefined : `turn t${tag}: HTTP ${res.status} ${res.body.slice(0, 120)}`;
    problem ??= await visible;
    const ms = performance.now() - started;
    clearTimeout(timer);
    this.waiters.delete(tag);
    return { thread: root, ms, ...(problem ? { problem } : {}) };
  }

  /** An answer is visible when a successful post or update carries the turn's tag, or a streamed message carrying it is stopped (whole). */
  private observe(call: SimCall): void {
    if (!call.ok || (call.method !== 'chat.postMessage' && call.method !== 'chat.update' && call.method !== 'chat.stopStream')) return;
    const stream = call.method === 'chat.stopStream' ? this.options.sim.agent.stream(String(call.args.channel), String(call.args.ts)) : undefined;
    const text = stream ? stream.markdown : typeof call.args.text === 'string' ? call.args.text : '';
    const tag = tagOf(text);
    const waiter = tag === undefined ? undefined : this.waiters.get(tag);
    if (!waiter) return;
    const thread =
      call.method === 'chat.postMessage'
        ? call.args.thread_ts
        : (stream?.message.thread_ts ?? this.options.sim.workspace.findMessage(String(call.args.channel), String(call.args.ts))?.thread_ts);
    if (thread !== waiter.thread) waiter.resolve(`answer for t${tag} landed in thread ${String(thread)}, not ${waiter.thread}`);
    else if (!text.includes(waiter.orderId)) waiter.resolve(`answer for t${tag} does not mention ${waiter.orderId}: ${text.slice(0, 120)}`);
    else waiter.resolve();
  }
}
