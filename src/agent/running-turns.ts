import { hasRole } from '../policy/roles';
import type { Caller, StopOutcome } from '../ports';

interface Running {
  controller: AbortController;
  requesterId: string;
}

/**
 * The runs in progress in this process, by session, so a stop (Slack's stop
 * button, a Stop button, `/support stop`) can cancel one. Only the person
 * the run answers, staff or admins may stop it.
 */
export class RunningTurns {
  private readonly bySession = new Map<string, Running>();

  /** Register a run; its signal aborts when someone stops it. */
  begin(sessionId: string, requester: Caller): AbortSignal {
    const running = { controller: new AbortController(), requesterId: requester.userId };
    this.bySession.set(sessionId, running);
    return running.controller.signal;
  }

  /** The run ended (forget it only if it is still the registered one). */
  end(sessionId: string, signal: AbortSignal): void {
    if (this.bySession.get(sessionId)?.controller.signal === signal) this.bySession.delete(sessionId);
  }

  stop(sessionId: string, caller: Caller): StopOutcome {
    const running = this.bySession.get(sessionId);
    if (!running || running.controller.signal.aborted) return { ok: false, reason: 'not_running', message: "There's nothing running in this conversation to stop." };
    if (running.requesterId !== caller.userId && !hasRole(caller.role, 'staff')) {
      return { ok: false, reason: 'not_allowed', message: 'Only the person being helped, or support staff, can stop this.' };
    }
    running.controller.abort(new Error(`stopped by ${caller.userId}`));
    return { ok: true, message: 'Stopping.' };
  }

  get size(): number {
    return this.bySession.size;
  }
}
