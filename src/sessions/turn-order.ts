/**
 * Arrival order of a conversation's messages across processes. Within one
 * process the session runner's queue already keeps order; replicas sharing
 * a store also take a numbered place per message when it arrives and run
 * only after every earlier place of the thread is done.
 */
export interface TurnOrder {
  /** Take the thread's next place. Call synchronously on arrival: the place is the arrival order. */
  enter(sessionId: string): Promise<TurnPlace>;
  close(): Promise<void>;
}

/** One message's place in its thread's order. */
export interface TurnPlace {
  /** Place number (1, 2, …) within the thread. */
  readonly ticket: number;
  /**
   * Resolves when every earlier place is done, or was given up because the
   * replica holding it stopped (its lease lapsed without progress).
   */
  ready(): Promise<void>;
  /** Done: the next place may run. Never throws. */
  leave(): Promise<void>;
}
