/** What the bot posts: answers, their controls and sources, progress steps and alerts. */
import type { Caller } from './identity';

/** A document an answer drew on (help-center article section). */
export interface Source {
  /** The document's title. */
  title: string;
  /** Link to it, when it has one. */
  url?: string;
  /** The section heading within the document. */
  heading?: string;
}

/** A text message from the bot. Markdown; adapters convert it to the platform's dialect. */
export interface OutboundMessage {
  /** Markdown text. */
  text: string;
  /** `reply` answers the user; `notice` is a status line (hand-off, expiry); `error` is a fallback. */
  kind?: 'reply' | 'notice' | 'error';
  /** Controls the person helped can use on this message; set by the engine on final answers only. */
  controls?: ReplyControls;
}

/** Which controls a final answer offers; adapters render those they can (buttons, commands). */
export interface ReplyControls {
  /** Thumbs up / thumbs down (`Engine.feedback`). */
  feedback: boolean;
  /** "Talk to a human" (`Engine.talkToHuman`). */
  talkToHuman: boolean;
  /** "That solved it" (`Engine.resolveConversation`). */
  solved: boolean;
}

/** Who a streamed reply is for (Slack needs the recipient in channels). */
export interface StreamContext {
  /** The person the reply answers. */
  recipient: Caller;
}

/** A tool step shown while the bot works ("Looking up order ORD-1001…" → done). */
export interface ProgressStep {
  /** Stable across updates of the same step (the tool call id). */
  id: string;
  /** Plain words, e.g. `Looking up order ORD-1001`. */
  title: string;
  /** Running, done, or failed. */
  status: 'in_progress' | 'complete' | 'error';
}

/** An operational alert for on-call. */
export interface Alert {
  /** `budget` thresholds; `feedback` a thumbs-down with a reason; `health` (error rate, latency, breakers, hourly cost); `tool_outcome_unknown` when a side effect needs checking by hand. */
  kind: 'budget' | 'health' | 'tool_outcome_unknown' | 'feedback';
  /** What to tell on-call, in plain words. */
  text: string;
}
