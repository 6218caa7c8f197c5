/** What adapters and the entry point may import from the engine. */
export * from './ports';
export * from './errors';
export { ENGINE_ENV_NAMES, loadConfig, loadDotEnv, type EngineConfig, type Env } from './config';
export { findUnknownVariables, unknownVariableWarning, type UnknownVariable } from './unknown-variables';
export { bootstrap, packageVersion, type App, type BootstrapOptions } from './bootstrap';
export { createEngine, type EngineOptions } from './engine';
export { defineTool } from './tools/define-tool';
export { hasRole, maxRole, ROLES } from './policy/roles';
export { createLogger, silentLogger } from './logger';
export { scrubText, scrubDeep } from './audit/redact';
export { truncate } from './text/truncate';
export { splitText, MIN_SPLIT_LIMIT, type SplitTextOptions } from './text/split-text';
export { sessionIdOf } from './sessions/session-state';
export { createHttpServer, pathOf, sendJson, type HttpServer, type HttpServerOptions, type RouteHandler } from './http/http-server';
export { checkHealth, healthRoute, PlatformProbes, type HealthReport, type PlatformProbe } from './http/health-route';
export { metricsRoute } from './http/metrics-route';
export { createUndiciFetch, sharedFetch } from './http/undici-fetch';
export { startHttp, type AppServer } from './http/app-server';
export { SupportMetrics } from './observability/support-metrics';
export { definePlugin, type Plugin, type PluginContext, type PluginParts } from './plugins/plugin';
export type { Specialist } from './specialists/specialist';
export { createOfflineModel, type OfflineModelOptions } from './agent/offline-model';
export {
  answer,
  callTool,
  defineOfflineIntent,
  type OfflineContext,
  type OfflineInput,
  type OfflineIntent,
  type Offered,
  type PlannedCall,
  type Step,
} from './agent/offline-intent';
export { POLICY_QUESTION } from './agent/offline-basics';
export { articleLines, HUMAN_OFFER, humanOffer, problemReply, unavailableReply, type ProblemWording } from './agent/offline-replies';
export { clock, day, isRecord, list, money, num, rec, str, type ToolOutcome, type TurnView } from './agent/offline-results';
export { ChannelSettings, type ChannelBehaviour, type RespondMode } from './channel-config/channel-settings';
export { loadAgentConfig, type AgentConfig } from './channel-config/agent-config';
