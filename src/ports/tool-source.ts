/** Port: tools that come and go at run time (MCP servers). */
import type { ToolDefinition } from './tool-definition';

/** Called with a group's current tools (and why some are missing) whenever they change. */
export type ToolSourceListener = (group: string, tools: readonly ToolDefinition[], notice?: string) => void;

/** Tools that come and go at run time (MCP servers); the engine keeps its registry in step. */
export interface ToolSource {
  /** Receive every group's tools now and on each change; returns an unsubscribe. */
  subscribe(listener: ToolSourceListener): () => void;
  /** Disconnect; listeners get no more changes. */
  close(): Promise<void>;
}
