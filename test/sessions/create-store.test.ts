import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { createStore, redisAddress } from '../../src/sessions/create-store';

/** A port that was free a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('createStore', () => {
  it('names STORE_URL and host:port, never the password, when Redis cannot be reached', async () => {
    const port = await closedPort();
    const error = await createStore(`redis://support:hunter2-secret@127.0.0.1:${port}/3`, { connectTimeoutMs: 500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual(['STORE_URL']);
    expect((error as Error).message).toContain('STORE_URL');
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain('hunter2');
    expect((error as Error).message).not.toContain('support:');
  });

  it('reads host and port out of any Redis URL', () => {
    expect(redisAddress('redis://:pw@cache.internal:6380/2')).toBe('cache.internal:6380');
    expect(redisAddress('rediss://cache.internal')).toBe('cache.internal:6379');
  });
});
