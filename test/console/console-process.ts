import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX_LOADER = path.join(ROOT, 'node_modules/tsx/dist/loader.mjs');
const START = path.join(ROOT, 'adapters/start.ts');

/** A scratch directory per run: the child's working directory (so no stray .env is read) and its DATA_DIR. */
export interface Workspace {
  cwd: string;
  dataDir: string;
}

const workspaces: string[] = [];

/** Make a scratch workspace; removed by {@link removeWorkspaces}. */
export function makeWorkspace(): Workspace {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'console-test-'));
  workspaces.push(cwd);
  return { cwd, dataDir: path.join(cwd, 'data') };
}

/** Remove every workspace made by this test file. */
export function removeWorkspaces(): void {
  for (const dir of workspaces.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The child's environment: only what Node needs to run. Platform and model
 * credentials (and any engine setting from the developer's shell) never reach
 * it, so the console channel and the offline model are what runs.
 */
export function childEnv(workspace: Workspace, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot']) if (process.env[key] !== undefined) env[key] = process.env[key];
  for (const key of Object.keys(env)) if (/^(OPENAI|SLACK|DISCORD)_/.test(key)) delete env[key];
  // PORT=0: the HTTP server takes a free port, so parallel runs never compete for 3000.
  return { ...env, DATA_DIR: workspace.dataDir, PORT: '0', ...extra };
}

/** A running `adapters/start.ts`. */
export interface ConsoleProcess {
  child: ChildProcessWithoutNullStreams;
  workspace: Workspace;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Send one line, as if typed. */
  send(line: string): void;
  /** Resolve once stdout contains `text` (rejects after `timeoutMs`). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawn the real entry point exactly as `npm start` runs it (tsx), with piped stdio. */
export function startConsoleProcess(options: { args?: string[]; env?: Record<string, string>; workspace?: Workspace } = {}): ConsoleProcess {
  const workspace = options.workspace ?? makeWorkspace();
  const child = spawn(process.execPath, ['--import', TSX_LOADER, START, ...(options.args ?? [])], {
    cwd: workspace.cwd,
    env: childEnv(workspace, options.env),
    stdio: 'pipe',
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const check of [...waiters]) check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    workspace,
    stdout: () => out,
    stderr: () => err,
    send: (line) => child.stdin.write(`${line}\n`),
    waitFor(text, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const matches = () => (typeof text === 'string' ? out.includes(text) : text.test(out));
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${String(text)}; stdout so far:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        const check = () => {
          if (!matches()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    exited,
  };
}

/** The result of a scripted run. */
export interface ConsoleRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  workspace: Workspace;
}

/** Pipe `lines` into the console (stdin not a TTY), close stdin, and wait for the process to exit. */
export async function runConsole(lines: string[], options: { args?: string[]; env?: Record<string, string>; workspace?: Workspace } = {}): Promise<ConsoleRun> {
  const proc = startConsoleProcess(options);
  proc.child.stdin.end(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  const { code, signal } = await proc.exited;
  return { code, signal, stdout: proc.stdout(), stderr: proc.stderr(), workspace: proc.workspace };
}

/** One line the operator typed and everything printed in answer, up to the next typed line. */
export interface Exchange {
  speaker: string;
  input: string;
  output: string;
}

/** Split a piped transcript on the echoed input lines (`alice> …`); bot lines are `bot> …`. */
export function exchanges(stdout: string): Exchange[] {
  const result: Exchange[] = [];
  for (const line of stdout.split('\n')) {
    const typed = /^([A-Za-z0-9][\w.-]*)> (.*)$/.exec(line);
    if (typed && typed[1] !== 'bot') result.push({ speaker: typed[1] ?? '', input: typed[2] ?? '', output: '' });
    else if (result.length > 0) result[result.length - 1]!.output += `${line}\n`;
  }
  return result;
}

/** The output that answered the `n`-th (0-based) occurrence of `input`. */
export function answerTo(stdout: string, input: string, n = 0): string {
  const found = exchanges(stdout).filter((e) => e.input === input)[n];
  if (!found) throw new Error(`"${input}" (#${n}) was not echoed; stdout:\n${stdout}`);
  return found.output;
}

/** Parse `<dataDir>/audit.log`, failing on any line that is not complete JSON. */
export function readAudit(workspace: Workspace): Array<Record<string, unknown>> {
  const text = readFileSync(path.join(workspace.dataDir, 'audit.log'), 'utf8');
  if (text !== '' && !text.endsWith('\n')) throw new Error('audit log ends with a partial line');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A Node stack frame, which a user-facing error must never show. */
export const STACK_FRAME = /^\s+at .+\(?.*:\d+:\d+\)?$/m;
