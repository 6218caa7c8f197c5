/** How long a driver waits for something the bot should do before the test fails. */
export const WAIT_MS = 5_000;

/**
 * Poll until `check` returns a value (not undefined/false), or fail naming
 * `what` after `timeoutMs`. Tests wait on what users would observe, never on a fixed sleep.
 */
export async function waitUntil<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
