import { createHash } from 'node:crypto';

/** A Lua script run by SHA, sent in full only when the server does not know it yet. */
export interface RedisScript {
  source: string;
  sha: string;
}

/** Hash a script once, at module load. */
export const redisScript = (source: string): RedisScript => ({ source, sha: createHash('sha1').update(source).digest('hex') });

/** The two calls a node-redis client offers for scripts. */
interface ScriptClient {
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(source: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** EVALSHA, falling back to EVAL (which caches the script) after a restart or failover flushed it. */
export async function runScript(client: ScriptClient, lua: RedisScript, keys: string[], args: string[]): Promise<unknown> {
  const options = { keys, arguments: args };
  try {
    return await client.evalSha(lua.sha, options);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(lua.source, options);
  }
}
