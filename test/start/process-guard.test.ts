import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installProcessGuard } from '../../adapters/process-guard';
import { captureLogger } from '../slack/harness';

describe('process guard', () => {
  it('once serving, logs an uncaught error scrubbed of secrets and keeps going', () => {
    const target = new EventEmitter();
    const logger = captureLogger();
    const exits: number[] = [];
    const remove = installProcessGuard({ logger: () => logger, started: () => true, exit: (c) => exits.push(c), target });
    target.emit('unhandledRejection', new TypeError('boom with xoxb-1234567890-abcdefghij and alice@example.com'));
    target.emit('uncaughtException', new Error('second'));
    expect(exits).toEqual([]);
    expect(logger.entries.map((e) => e.msg)).toEqual(['unexpected error; still serving', 'unexpected error; still serving']);
    const logged = JSON.stringify(logger.entries);
    expect(logged).toContain('boom');
    expect(logged).not.toContain('xoxb-1234567890');
    expect(logged).not.toContain('alice@example.com');
    remove();
    expect(target.listenerCount('unhandledRejection')).toBe(0);
  });

  it('during start-up, exits 1 with one line', () => {
    const target = new EventEmitter();
    const lines: string[] = [];
    const exits: number[] = [];
    installProcessGuard({ logger: () => undefined, started: () => false, write: (l) => lines.push(l), exit: (c) => exits.push(c), target });
    target.emit('uncaughtException', new Error('port in use'));
    expect(exits).toEqual([1]);
    expect(lines).toEqual(['support-agent failed to start: uncaughtException: port in use']);
  });
});
