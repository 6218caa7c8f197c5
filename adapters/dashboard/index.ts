/** The operator dashboard: a request handler the HTTP server mounts at /dashboard. */
export { createDashboard, type Dashboard, type DashboardDeps } from './create-dashboard';
export type { HealthView } from './page-overview';
export { dashboardTokenFromEnv } from './config';
export { createAppDashboard, type AppDashboardOptions } from './for-app';
