import { AsyncLocalStorage } from 'node:async_hooks';

/** Ids every log line written during a turn carries. */
export interface TurnLogFields {
  turnId: string;
  sessionId: string;
}

// Async-context storage rather than a logger threaded through every call: the session runner,
// channel router and adapters log with their own loggers, and their lines belong to the turn too.
const storage = new AsyncLocalStorage<TurnLogFields>();

/** Run `work` as one turn: log lines written inside it (by any logger from `createLogger`) carry its ids. */
export function runInTurn<T>(fields: TurnLogFields, work: () => T): T {
  return storage.run(fields, work);
}

/** The ids of the turn the caller runs in, if any. */
export function currentTurn(): TurnLogFields | undefined {
  return storage.getStore();
}
