import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createOfflineModel } from './agent/offline-model';
import { createOpenAIModel } from './agent/openai-model';
import { createAuditLog } from './audit/audit-log';
import { loadConfig, type EngineConfig, type Env } from './config';
import { ConfigError } from './errors';
import { createEngine } from './engine';
import { createLogger } from './logger';
import { ModelHealthTracker, probeModel, withModelHealth } from './model-health';
import { collectAppGauges, knownModels } from './observability/app-metrics';
import { auditMetrics, observedAudit } from './observability/audit-metrics';
import { SupportMetrics } from './observability/support-metrics';
import { timedStore } from './observability/timed-store';
import type { AuditSink, Clock, Engine, Logger, ModelClient, ModelHealth, Store, ToolDefinition } from './ports';
import { createStore } from './sessions/create-store';
import { resolveEncryptionKey } from './sessions/encryption-key';
import { RedisTurnOrder } from './sessions/redis-turn-order';
import { startOtlpTracing } from './telemetry/otlp-tracing';
import { loadAgentConfig } from './channel-config/agent-config';
import { ChannelSettings } from './channel-config/channel-settings';
import { KNOWLEDGE_TOOL_GROUP } from './channel-config/channel-tools';
import { CODE_TOOL_GROUP } from './tools/registry';
import { KbIndex, type Embedder } from './knowledge/kb-index';
import { createOpenAIEmbedder } from './knowledge/openai-embedder';
import { createHelpCenterTool } from './knowledge/search-help-center-tool';
import { McpToolSource } from './mcp/mcp-tool-source';
import { createSealer } from './sessions/sealer';
import { loadToolsFromDir } from './tools/load-tools';
import type { Specialist } from './specialists/specialist';
import { loadSpecialistsFromDir } from './specialists/load-specialists';
import { loadPlugins } from './plugins/load-plugins';
import type { Plugin } from './plugins/plugin';

export interface BootstrapOptions {
  env: Env;
  /** Replace the model (tests, benchmarks); default: OpenAI when OPENAI_API_KEY is set, else offline. */
  model?: ModelClient;
  clock?: Clock;
  /** Extra tools, added after the plugins' and TOOLS_DIR. */
  tools?: ToolDefinition[];
  /** Specialists (added to the plugins'); none at all = no routing. */
  specialists?: Specialist[];
  /** Plugins given in code, started after the ones PLUGINS names. */
  plugins?: Plugin[];
  /** Where relative PLUGINS paths start (default the working directory). */
  cwd?: string;
  /** Replace the router model (tests); default: ROUTER_MODEL over OpenAI when set with a key, else the main model. */
  routerModel?: ModelClient;
  /** Clients for specialists' own models (tests); default: OpenAI clients when a key is set, else the main model. */
  modelFor?: (name: string) => ModelClient | undefined;
  logger?: Logger;
  /** Where logs go when no logger is given: stdout (default) or stderr (console mode keeps stdout for the chat). */
  logDestination?: 1 | 2 | string;
  audit?: AuditSink;
  /** Store key namespace (tests share one Redis). */
  storeNamespace?: string;
  /** Passed to the engine; tests shorten retry delays. */
  retryInitialDelayMs?: number;
  /** Collect Prometheus metrics (default true; benchmarks compare without). */
  metrics?: boolean;
  /** Cross-domain messages: parallel consultations (default) or one union loop (benchmarks compare). */
  crossDomain?: 'parallel' | 'union';
}

/** A running engine with everything it owns. */
export interface App {
  engine: Engine;
  config: EngineConfig;
  logger: Logger;
  store: Store;
  model: ModelClient;
  audit: AuditSink;
  /** What `/metrics` serves; undefined when metrics are off. */
  metrics: SupportMetrics | undefined;
  /** Per-channel behaviour from the agent configuration file (adapters read `respondMode`). */
  channels: ChannelSettings;
  /** How the encryption key was obtained (for the start-up banner). */
  keyOrigin: 'env' | 'file' | 'generated';
  version: string;
  /** Export buffered trace spans now (when tracing is on). */
  flushTraces(): Promise<void>;
  /**
   * Probe the model server once (`GET {base}/models`, at most `timeoutMs`, default 3000) and record
   * the outcome in the health `/support status` shows. Offline (or an injected model): reports as is.
   */
  checkModel(timeoutMs?: number): Promise<ModelHealth>;
  /** Stop the engine, then the plugins, the store and the audit log. */
  close(): Promise<void>;
}

/** Version from package.json, read once at start-up. */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Build the engine from the environment on the embedded defaults: SQLite
 * store and audit log under DATA_DIR, the plugins PLUGINS names (the demo
 * helpdesk by default), the offline model unless OPENAI_API_KEY is set.
 * Throws ConfigError naming bad variables or the plugin that failed.
 */
export async function bootstrap(options: BootstrapOptions): Promise<App> {
  const config = loadConfig(options.env);
  const logger = options.logger ?? createLogger({ level: config.logLevel, format: config.logFormat, ...(options.logDestination !== undefined ? { destination: options.logDestination } : {}) });
  await mkdir(config.dataDir, { recursive: true });
  const { key, origin } = await resolveEncryptionKey({ configured: config.encryptionKey, required: config.encryptionKeyRequired, dataDir: config.dataDir });
  const clock = options.clock ?? { now: () => Date.now() };
  // Read before anything opens, so a bad file stops the start at once.
  const agentConfig = config.agentConfig ? await loadAgentConfig(config.agentConfig.file, options.env, config.agentConfig.variable) : undefined;
  const closers: Array<() => Promise<void>> = [];
  try {
    const rawStore = await createStore(config.storeUrl, options.storeNamespace ? { namespace: options.storeNamespace } : {});
    closers.push(() => rawStore.close());
    const rawAudit = options.audit ?? createAuditLog({ path: config.auditLogPath, now: () => clock.now() });
    if (!options.audit) closers.push(() => (rawAudit as ReturnType<typeof createAuditLog>).close());
    const metrics = (options.metrics ?? true) ? new SupportMetrics() : undefined;
    const store = metrics ? timedStore(rawStore, (op, seconds) => metrics.storeDuration.observe({ op }, seconds)) : rawStore;

    const plugins = await loadPlugins(config.plugins, options.plugins ?? [], {
      env: options.env,
      dataDir: config.dataDir,
      now: () => clock.now(),
      logger,
      cwd: options.cwd ?? process.cwd(),
    });
    closers.push(() => plugins.stop());
    if (plugins.names.length > 0) logger.info({ plugins: plugins.names, tools: plugins.tools.length }, 'plugins loaded');
    // Tools by group, in order (a later tool replaces an earlier one of the same name); channels enable groups by name.
    const toolGroups: Array<{ group: string; tools: ToolDefinition[] }> = [...plugins.toolGroups];
    const specialists: Specialist[] = [...plugins.specialists];
    const embedder = embedderFrom(config);
    // KB_DIR wins over a folder a plugin declares.
    const knowledgeDir = config.knowledge.dir ?? plugins.knowledgeDirs[0];
    if (knowledgeDir) {
      // The help center replaces a plugin's own search (same tool name).
      const index = await openKnowledge({ ...config, knowledge: { ...config.knowledge, dir: knowledgeDir } }, logger, embedder);
      toolGroups.push({ group: KNOWLEDGE_TOOL_GROUP, tools: [createHelpCenterTool(index)] });
    }
    if (config.tools.dir) {
      toolGroups.push({ group: 'tools_dir', tools: await loadToolsFromDir(config.tools.dir) });
      specialists.push(...(await loadSpecialistsFromDir(config.tools.dir)));
    }
    toolGroups.push({ group: CODE_TOOL_GROUP, tools: options.tools ?? [] });
    const tools = toolGroups.flatMap((g) => g.tools);
    specialists.push(...(options.specialists ?? []));

    const rawModel =
      options.model ??
      (config.openai.apiKey
        ? createOpenAIModel({ apiKey: config.openai.apiKey, model: config.openai.model, ...(config.openai.baseUrl ? { baseUrl: config.openai.baseUrl } : {}) })
        : createOfflineModel({ intents: plugins.offlineIntents }));
    // A cheaper model routes when ROUTER_MODEL names one; offline, the offline model routes by its rules.
    const routerModel =
      options.routerModel ??
      (config.routerModel && config.openai.apiKey && !options.model
        ? createOpenAIModel({ apiKey: config.openai.apiKey, model: config.routerModel, ...(config.openai.baseUrl ? { baseUrl: config.openai.baseUrl } : {}) })
        : undefined);
    const openai = config.openai;
    const modelFor =
      options.modelFor ??
      (openai.apiKey && !options.model
        ? (name: string) => createOpenAIModel({ apiKey: openai.apiKey!, model: name, ...(openai.baseUrl ? { baseUrl: openai.baseUrl } : {}) })
        : undefined);
    const modelHealth = new ModelHealthTracker({ now: () => clock.now(), mode: rawModel.mode });
    // Every real call reports to the tracker, so the first failure shows in /support status.
    const model = withModelHealth(rawModel, modelHealth);
    const version = packageVersion();
    const auditLog = metrics
      ? observedAudit(rawAudit, auditMetrics({ metrics, tools: [...tools.map((t) => t.name), 'escalate_to_human'], models: knownModels(config, model.model) }))
      : rawAudit;
    // The embedded SQLite store belongs to this process; Redis is shared by replicas, which also share arrival order.
    const sharedStore = !config.storeUrl.startsWith('sqlite:');
    const turnOrder = sharedStore
      ? await RedisTurnOrder.open({ url: config.storeUrl, logger, ...(options.storeNamespace ? { namespace: options.storeNamespace } : {}) })
      : undefined;
    if (turnOrder) closers.push(() => turnOrder.close());
    const mcp = agentConfig && Object.keys(agentConfig.mcp.servers).length > 0
      ? new McpToolSource({ config: agentConfig.mcp, logger, version, timeoutMs: config.tools.timeoutMs })
      : undefined;
    const channels = agentConfig?.channels ?? ChannelSettings.DEFAULT;
    if (mcp) {
      closers.push(() => mcp.close());
      // Bounded by each server's connect timeout; servers that are late join when they answer.
      await mcp.start();
    }
    const tracing = config.telemetry.otlpEndpoint
      ? await startOtlpTracing({ endpoint: config.telemetry.otlpEndpoint, serviceName: config.telemetry.serviceName, version })
      : undefined;
    // Closed after the engine stopped, so the last turns' spans are exported.
    if (tracing) closers.push(() => tracing.shutdown());
    const engine = createEngine({
      config,
      store,
      sealer: createSealer(key),
      model,
      tools: [],
      toolGroups,
      channels,
      specialists,
      ...(plugins.instructions ? { instructions: plugins.instructions } : {}),
      texts: plugins.texts,
      ...(embedder ? { embedder } : {}),
      ...(options.crossDomain ? { crossDomain: options.crossDomain } : {}),
      ...(routerModel ? { routerModel } : {}),
      ...(modelFor ? { modelFor } : {}),
      audit: auditLog,
      logger,
      clock,
      version,
      sharedStore,
      ...(turnOrder ? { turnOrder } : {}),
      ...(tracing ? { tracer: tracing.tracer } : {}),
      ...(mcp ? { toolSources: [mcp] } : {}),
      ...(options.retryInitialDelayMs !== undefined ? { retryInitialDelayMs: options.retryInitialDelayMs } : {}),
    });
    if (metrics) collectAppGauges({ metrics, engine, store, config, now: () => clock.now() });
    let closed = false;
    return {
      engine,
      config,
      logger,
      store,
      model,
      audit: auditLog,
      metrics,
      channels,
      keyOrigin: origin,
      version,
      flushTraces: async () => tracing?.flush(),
      async checkModel(timeoutMs = 3_000) {
        const { apiKey, baseUrl } = config.openai;
        // Only the OpenAI client this bootstrap built talks to the configured server.
        if (options.model || apiKey === undefined) return modelHealth.snapshot();
        return probeModel({ apiKey, baseUrl, timeoutMs }, modelHealth);
      },
      async close() {
        if (closed) return;
        closed = true;
        await engine.stop();
        for (const close of closers.reverse()) await close().catch((error: unknown) => logger.error({ err: String(error) }, 'close failed'));
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

/** The embeddings client when EMBEDDINGS_MODEL is set (it needs OPENAI_API_KEY); used by the help center and solved cases. */
export function embedderFrom(config: EngineConfig): Embedder | undefined {
  const { embeddingsModel } = config.knowledge;
  if (!embeddingsModel) return undefined;
  if (!config.openai.apiKey) throw new ConfigError('EMBEDDINGS_MODEL needs OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server)', ['EMBEDDINGS_MODEL', 'OPENAI_API_KEY']);
  return createOpenAIEmbedder({ apiKey: config.openai.apiKey, model: embeddingsModel, ...(config.openai.baseUrl ? { baseUrl: config.openai.baseUrl } : {}) });
}

/** Load (or rebuild) the KB_DIR index, with embeddings when EMBEDDINGS_MODEL and an OpenAI key are set. */
export async function openKnowledge(config: EngineConfig, logger: Logger, embedder = embedderFrom(config)): Promise<KbIndex> {
  const { dir, indexFile } = config.knowledge;
  if (!dir) throw new ConfigError('KB_DIR is not set', ['KB_DIR']);
  const index = await KbIndex.open({ dir, indexFile, logger, ...(embedder ? { embedder } : {}) });
  logger.info({ dir, chunks: index.stats.chunks, files: index.stats.files, rebuilt: index.stats.rebuilt, ms: Math.round(index.stats.buildMs) }, 'help center indexed');
  return index;
}
