import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createServer } from 'node:net';

/** A process started in its own process group, so everything it starts can be found again. */
export interface GroupProcess {
  child: ChildProcess;
  /** Write one line to stdin (only when stdin is our pipe). */
  send(line: string): void;
  stdout(): string;
  stderr(): string;
  /** Resolve once stderr or stdout contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

/**
 * Spawn `command` as the leader of a new process group. stdin is a pipe from
 * this process, or with `stdinFrom` the stdout of another process: Node closes
 * its end of a child's stdin pipe when that child exits, so a grandchild
 * reading the same pipe (the bot under `npm start`) would see EOF and quit on
 * its own, hiding whether the signal reached it.
 */
export function spawnGroup(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; stdinFrom?: Readable }): GroupProcess {
  const stdin = options.stdinFrom ?? 'pipe';
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: [stdin, 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, atMs: performance.now() })),
  );
  return {
    child,
    send: (line) => void child.stdin?.write(`${line}\n`),
    stdout: () => out,
    stderr: () => err,
    async waitFor(text, timeoutMs = 20_000) {
      const deadline = performance.now() + timeoutMs;
      const seen = () => (typeof text === 'string' ? out.includes(text) || err.includes(text) : text.test(out) || text.test(err));
      while (!seen()) {
        if (performance.now() > deadline) throw new Error(`timed out waiting for ${String(text)}\nstdout:\n${out}\nstderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    exited,
  };
}

/** Every live process (pid and command) in process group `pgid`; zombies excluded. */
export function processesInGroup(pgid: number): string[] {
  let text = '';
  try {
    text = execFileSync('ps', ['-o', 'pid=,stat=,args=', '-g', String(pgid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when nothing matches
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\d+\s+Z/.test(l));
}

/** Poll until group `pgid` is empty; returns what is still running after `timeoutMs`. */
export async function waitForEmptyGroup(pgid: number, timeoutMs = 5_000): Promise<string[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const left = processesInGroup(pgid);
    if (left.length === 0 || performance.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when nothing listens on `port` (binding it succeeds). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Send `signal` to every process of group `pgid` that is still alive (test cleanup). */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}
