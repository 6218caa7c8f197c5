/** Discord's epoch (2015-01-01), from which snowflake timestamps count. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * Snowflake ids as Discord makes them: milliseconds since the Discord epoch in
 * the top bits, then worker, process and a per-process increment. Real-sized
 * (18-19 digits) so discord.js buckets routes on them as it does in production.
 */
export function createSnowflakes(now: () => number = Date.now): () => string {
  let increment = 0n;
  return () => {
    increment = (increment + 1n) & 0xfffn;
    const ms = BigInt(now()) - DISCORD_EPOCH;
    return ((ms << 22n) | (1n << 17n) | (1n << 12n) | increment).toString();
  };
}
