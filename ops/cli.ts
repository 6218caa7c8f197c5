/**
 * `npm run ops -- <command>`: the operator's view from a terminal. Loads the
 * configuration like `npm start` (environment, then .env) and reads the bot's
 * store and audit log; prints tables, or JSON with --json. Exit 1 on errors,
 * 2 on a command line it cannot run.
 */
import { existsSync } from 'node:fs';
import { loadConfig, type Env } from '../src/config';
import { AppError } from '../src/errors';
import { openReadModel } from '../src/ops/open-read-model';
import { parseOpsArgs, UsageError } from './cli-args';
import { OPS_USAGE, runOpsCommand } from './commands';

async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseOpsArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return fail(`${error.message}\n\n${OPS_USAGE}`, 2);
    throw error;
  }
  if (args.command === 'help') {
    process.stdout.write(`${OPS_USAGE}\n`);
    return 0;
  }
  // Real environment variables win over .env, as for `npm start`.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env: Env = { ...process.env };
  const config = loadConfig(env);
  const { readModel, close } = await openReadModel(config, { now: () => Date.now() });
  try {
    const output = await runOpsCommand(readModel, args);
    process.stdout.write(args.json ? `${JSON.stringify(output.data, null, 2)}\n` : `${output.text}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message, 2);
    throw error;
  } finally {
    await close();
  }
}

function fail(message: string, code: number): number {
  process.stderr.write(`ops: ${message}\n`);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Configuration and key problems are the operator's to fix: one clear line, no stack.
    process.stderr.write(`ops: ${error instanceof AppError ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
