import type { Env } from '../../src/index';

/** DASHBOARD_TOKEN from the environment (blank counts as unset): the adapter factory's one read of it. */
export function dashboardTokenFromEnv(env: Env): string | undefined {
  const token = env.DASHBOARD_TOKEN?.trim();
  return token ? token : undefined;
}
