/**
 * `npm run kb:index`: build (or check) the KB_DIR index ahead of a start, with
 * the same configuration as `npm start` (environment and .env).
 */
import { loadConfig, loadDotEnv } from '../src/index';
import { openKnowledge } from '../src/bootstrap';
import { createLogger } from '../src/logger';

loadDotEnv();
const config = loadConfig(process.env);
const logger = createLogger({ level: 'warn', destination: 2 });
try {
  const index = await openKnowledge(config, logger);
  const { chunks, files, skipped, rebuilt, buildMs } = index.stats;
  process.stdout.write(`kb: ${files} file(s), ${chunks} section(s), ${rebuilt ? 'rebuilt' : 'up to date'} in ${Math.round(buildMs)} ms -> ${config.knowledge.indexFile}\n`);
  for (const s of skipped) process.stdout.write(`kb: skipped ${s.file}: ${s.reason}\n`);
} catch (error) {
  process.stderr.write(`kb:index: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
