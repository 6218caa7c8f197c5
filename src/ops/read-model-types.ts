import type { ChatMessage, ConversationRef, SpendLine } from '../ports';
import type { AuditLine } from './audit-reader';
import type { SeriesPoint, TurnOutcome } from './turn-series';

/** An approval as operators see it. Ages are ms at `now`. */
export interface ApprovalRow {
  id: string;
  sessionId: string;
  toolName: string;
  action: string;
  requester: { userId: string; displayName: string };
  /** Who may decide, in plain words. */
  deciders: string;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  createdAt: number;
  ageMs: number;
  expiresAt: number;
  decidedBy?: { userId: string; displayName: string };
  decidedAt?: number;
  conversation: ConversationRef;
  link?: string;
}

export interface EscalationRow {
  id: string;
  sessionId: string;
  status: 'open' | 'claimed' | 'closed';
  trigger: string;
  reason: string;
  urgency: string;
  customer: { userId: string; displayName: string };
  claimedBy?: { userId: string; displayName: string };
  createdAt: number;
  ageMs: number;
  notifications: number;
  conversation: ConversationRef;
  link?: string;
}

/** How the latest turn of a conversation ended, or where it stands now. */
export type ConversationOutcome = TurnOutcome | 'waiting_approval' | 'with_human' | 'unknown';

export interface ConversationRow {
  sessionId: string;
  platform: string;
  customer?: { userId: string; displayName: string; role: string };
  createdAt: number;
  updatedAt: number;
  turns: number;
  /** Model steps over the conversation (from the audit log). */
  steps: number;
  costUsd: number;
  outcome: ConversationOutcome;
  /** Latest feedback given in the conversation, when the bot recorded any. */
  feedback?: string;
  link?: string;
}

/** One message of a transcript, already redacted. */
export interface TranscriptEntry {
  role: ChatMessage['role'];
  text: string;
  /** Tools the assistant called in this message. */
  tools?: string[];
}

export interface Transcript {
  conversation: ConversationRow;
  entries: TranscriptEntry[];
  /** What the bot did, newest last. */
  actions: Array<{ at: number; tool: string; outcome: string; summary: string }>;
}

export interface CostView {
  timezone: string;
  day: string;
  month: string;
  todayUsd: number;
  monthUsd: number;
  limits: { requestUsd: number; userDailyUsd: number; monthlyUsd: number };
  byDay: SpendLine[];
  byModel: SpendLine[];
  topUsers: SpendLine[];
}

/** Counts and rates for the overview and `ops status`. */
export interface OpsSummary {
  pendingApprovals: number;
  openEscalations: number;
  conversations: number;
  turnsLast24h: number;
  solvedLast24h: number;
  escalatedLast24h: number;
  failedLast24h: number;
  p50Ms: number | null;
  p95Ms: number | null;
  /** Latest state per circuit breaker seen in the audit log (`breaker_state`). */
  breakers: Array<{ name: string; state: string; since: string }>;
  costTodayUsd: number;
  costMonthUsd: number;
}

export type { AuditLine, SeriesPoint };
