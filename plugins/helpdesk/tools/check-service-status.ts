import { z } from 'zod';
import { defineTool } from '../../../src/index';
import type { HelpdeskToolDeps } from './deps';

const input = z.object({
  component: z.string().trim().min(1).max(80).optional().describe('Only this component, e.g. "Desktop app"; leave out for all'),
});

/** Component health, worst last. */
export type ComponentStatus = 'operational' | 'degraded' | 'partial_outage' | 'major_outage';

/** One incident, open or recently resolved. */
export interface IncidentView {
  id: string;
  component: string;
  title: string;
  status: string;
  details: string;
  workaround: string | null;
  startedAt: string;
  resolvedAt: string | null;
}

/** What `check_service_status` returns. */
export interface ServiceStatusResult {
  /** The worst status among the components returned. */
  overall: ComponentStatus;
  components: Array<{ name: string; status: ComponentStatus; updatedAt: string }>;
  /** Incidents not yet resolved. */
  activeIncidents: IncidentView[];
  /** Resolved in the last 14 days, for "was something wrong yesterday?". */
  recentlyResolved: IncidentView[];
}

const SEVERITY: Record<ComponentStatus, number> = { operational: 0, degraded: 1, partial_outage: 2, major_outage: 3 };

/** `check_service_status`: the public status page, so guests may call it too. */
export function createCheckServiceStatusTool({ db }: HelpdeskToolDeps) {
  return defineTool<typeof input, ServiceStatusResult>({
    name: 'check_service_status',
    description: 'Current status of our services (web app, desktop app, mobile app, API, payments, shipping notifications) and any open incidents with workarounds.',
    input,
    permission: 'guest',
    approval: 'none',
    readOnly: true,
    describe: (args) => `Check service status${args.component ? ` for ${args.component}` : ''}`,
    async execute(args, ctx) {
      const all = await db.all<{ name: string; status: ComponentStatus; updated_at: string }>(
        `SELECT name, status, updated_at FROM service_components ORDER BY position`,
      );
      const wanted = args.component?.toLowerCase();
      const matching = wanted ? all.filter((c) => c.name.toLowerCase().includes(wanted) || wanted.includes(c.name.toLowerCase())) : all;
      // An unknown component name still gets the whole page rather than an empty answer.
      const components = matching.length > 0 ? matching : all;
      const names = new Set(components.map((c) => c.name));

      const since = new Date(ctx.now() - 14 * 86_400_000).toISOString();
      const rows = await db.all<{ id: string; component: string; title: string; status: string; details: string; workaround: string | null; started_at: string; resolved_at: string | null }>(
        `SELECT * FROM incidents WHERE resolved_at IS NULL OR resolved_at >= ? ORDER BY started_at DESC`,
        [since],
      );
      const incidents: IncidentView[] = rows
        .filter((r) => names.has(r.component))
        .map((r) => ({
          id: r.id,
          component: r.component,
          title: r.title,
          status: r.status,
          details: r.details,
          workaround: r.workaround,
          startedAt: r.started_at,
          resolvedAt: r.resolved_at,
        }));

      const overall = components.reduce<ComponentStatus>((worst, c) => (SEVERITY[c.status] > SEVERITY[worst] ? c.status : worst), 'operational');
      return {
        overall,
        components: components.map((c) => ({ name: c.name, status: c.status, updatedAt: c.updated_at })),
        activeIncidents: incidents.filter((i) => i.resolvedAt === null),
        recentlyResolved: incidents.filter((i) => i.resolvedAt !== null),
      };
    },
  });
}
