const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30m`, `12h`, `1d`, `2w` before `now`, or an ISO date/time, as epoch ms; undefined when unreadable. */
export function parseSince(text: string, now: number): number | undefined {
  const relative = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (relative) return now - Number(relative[1]) * (UNIT_MS[relative[2] as string] as number);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}
