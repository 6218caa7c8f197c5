/**
 * Every interface between the engine and the outside world.
 *
 * Ports (one file each): `Engine` (what adapters call), `Channel` and
 * `ReplyStream` (what the engine calls back), `ModelClient`, `Store`,
 * `ToolDefinition`/`ToolSource`, `AuditSink`, `Clock`, `Logger`. The other
 * files hold the data shapes those ports carry. Infrastructure is injected
 * through the ports so tests can drive the engine with fakes and real stores.
 */
// Ports
export * from './engine';
export * from './channel';
export * from './reply-stream';
export * from './model-client';
export * from './store';
export * from './tool-definition';
export * from './tool-source';
export * from './audit-sink';
export * from './clock';
export * from './logger';
// Data shapes they carry
export * from './identity';
export * from './conversations';
export * from './approvals';
export * from './escalations';
export * from './messages';
export * from './turns';
export * from './outcomes';
export * from './commands';
export * from './reports';
export * from './chat-messages';
export * from './store-entries';
export * from './audit-event';
