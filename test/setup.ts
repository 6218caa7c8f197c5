import { vi } from 'vitest';

/**
 * `vi.waitFor` gives up after 1 s by default. On a busy 2-core CI machine a
 * loopback round trip through a simulator can take longer, which made
 * condition waits flaky. Wait up to 5 s unless a test says otherwise: a real
 * failure still fails, only later.
 */
const waitFor = vi.waitFor.bind(vi);
vi.waitFor = ((callback, options) =>
  waitFor(callback, typeof options === 'number' ? { timeout: options } : { timeout: 5_000, ...options })) as typeof vi.waitFor;
