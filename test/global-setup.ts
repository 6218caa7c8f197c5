import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** True when something answers Redis PING on 127.0.0.1:6379. */
function redisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: 6379 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

let server: ChildProcess | undefined;

/**
 * The store contract runs against a real Redis. CI starts one; on a developer
 * machine without one running, start a throwaway server for the test run.
 */
export async function setup(): Promise<void> {
  if (await redisAnswers()) return;
  server = spawn('redis-server', ['--port', '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  server.once('error', () => undefined);
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('Redis is not running on 127.0.0.1:6379 and redis-server could not be started (apt-get install redis-server).');
}

export async function teardown(): Promise<void> {
  server?.kill();
}
