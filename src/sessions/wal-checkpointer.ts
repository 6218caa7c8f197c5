import sqlite3 from 'sqlite3';

/**
 * Copies the SQLite write-ahead log into the database from a second
 * connection on a timer. With SQLite's automatic checkpoints, the write that
 * crosses the WAL threshold pays for the copy and its fsync (tens of ms on a
 * slow disk) inside a chat turn; here no request waits for it.
 */
export class WalCheckpointer {
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | undefined;
  private stopped = false;

  private constructor(
    private readonly db: sqlite3.Database,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.checkpoint('PASSIVE'), intervalMs);
    this.timer.unref();
  }

  /** Open the checkpoint connection for `file` and start the timer. */
  static open(file: string, intervalMs: number): Promise<WalCheckpointer> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(new WalCheckpointer(db, intervalMs))));
    });
  }

  /** Stop the timer, fold the whole log into the database, close. Call after the writers closed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    await this.exec('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => undefined);
    await new Promise<void>((resolve) => this.db.close(() => resolve()));
  }

  private checkpoint(mode: 'PASSIVE'): Promise<void> {
    // PASSIVE never waits for readers or writers; a busy moment just defers the copy to the next tick.
    this.running ??= this.exec(`PRAGMA wal_checkpoint(${mode})`)
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (error) => (error ? reject(error) : resolve())));
  }
}
