import { periodOf } from '../budget/periods';
import type { AuditLine } from './audit-reader';

/** How conversations came to one specialist, over the report's window. */
export interface SpecialistRoutes {
  specialist: string;
  /** Conversations routed to it on their first message (a cross-domain message counts for each specialist). */
  routed: number;
  /** How those routes were decided: rules, model, offline, fallback. */
  by: Record<string, number>;
  /** Hand-overs to it (a transfer, or a later message whose rules named it). */
  handOversIn: number;
  /** Hand-overs away from it. */
  handOversOut: number;
}

/** Routes and hand-overs of one day (in the budget timezone). */
export interface RouteDay {
  day: string;
  routed: number;
  handOvers: number;
  /** Routes plus hand-overs to each specialist that day. */
  bySpecialist: Record<string, number>;
}

/** Routes per specialist and hand-overs over time, from the `route` audit events. */
export interface RouteReport {
  days: number;
  timezone: string;
  specialists: SpecialistRoutes[];
  /** Every day of the window, newest first (days without routes included). */
  perDay: RouteDay[];
}

const names = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/**
 * Build the route report from audit lines: a `route` line without `from` is
 * a conversation's first route, one with `from` a hand-over. Specialists
 * most routed first.
 */
export function routeReport(lines: readonly AuditLine[], options: { now: number; days: number; timezone: string }): RouteReport {
  const dayOf = (at: number) => periodOf(at, options.timezone).day;
  const perDay = new Map<string, RouteDay>();
  for (let i = 0; i < options.days; i++) {
    const day = dayOf(options.now - i * 86_400_000);
    if (!perDay.has(day)) perDay.set(day, { day, routed: 0, handOvers: 0, bySpecialist: {} });
  }
  const bySpecialist = new Map<string, SpecialistRoutes>();
  const entry = (specialist: string) => {
    let e = bySpecialist.get(specialist);
    if (!e) bySpecialist.set(specialist, (e = { specialist, routed: 0, by: {}, handOversIn: 0, handOversOut: 0 }));
    return e;
  };
  for (const line of lines) {
    if (line.event !== 'route') continue;
    const day = perDay.get(dayOf(line.at));
    if (!day) continue; // outside the window
    const to = names(line.specialists);
    if (to.length === 0) continue; // not a route this report can place
    const from = line.from === undefined ? undefined : names(line.from);
    const by = typeof line.by === 'string' ? line.by : 'unknown';
    if (from) {
      day.handOvers += 1;
      for (const s of to) entry(s).handOversIn += 1;
      for (const s of from) if (!to.includes(s)) entry(s).handOversOut += 1;
    } else {
      day.routed += 1;
      for (const s of to) {
        const e = entry(s);
        e.routed += 1;
        e.by[by] = (e.by[by] ?? 0) + 1;
      }
    }
    for (const s of to) day.bySpecialist[s] = (day.bySpecialist[s] ?? 0) + 1;
  }
  return {
    days: options.days,
    timezone: options.timezone,
    specialists: [...bySpecialist.values()].sort((a, b) => b.routed + b.handOversIn - (a.routed + a.handOversIn) || a.specialist.localeCompare(b.specialist)),
    perDay: [...perDay.values()].sort((a, b) => b.day.localeCompare(a.day)),
  };
}

/** Column headers of the per-specialist table (ops CLI and dashboard share them). */
export const ROUTE_COLUMNS = ['SPECIALIST', 'ROUTED', 'HOW', 'HAND-OVERS IN', 'HAND-OVERS OUT'] as const;

/** One specialist as table cells, in {@link ROUTE_COLUMNS} order. */
export function routeCells(r: SpecialistRoutes): string[] {
  const how = Object.entries(r.by)
    .sort((a, b) => b[1] - a[1])
    .map(([by, n]) => `${by} ${n}`)
    .join(', ');
  return [r.specialist, String(r.routed), how || '-', String(r.handOversIn), String(r.handOversOut)];
}

/** Column headers of the per-day table. */
export const ROUTE_DAY_COLUMNS = ['DAY', 'ROUTED', 'HAND-OVERS', 'BY SPECIALIST'] as const;

/** One day as table cells, in {@link ROUTE_DAY_COLUMNS} order. */
export function routeDayCells(d: RouteDay): string[] {
  const split = Object.entries(d.bySpecialist)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  return [d.day, String(d.routed), String(d.handOvers), split || '-'];
}
