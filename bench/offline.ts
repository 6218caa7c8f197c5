/**
 * The offline model's planner on ordinary and on long, repetitive input (typo
 * correction and intent rules must stay linear). Prints p50/p99 per message.
 *   npx tsx bench/offline.ts [iterations]
 */
import { OfflinePlanner } from '../src/agent/offline-plan';
import { helpdeskOfflineIntents } from '../plugins/helpdesk/offline/intents';

const iterations = Number(process.argv[2] ?? 200);
const planner = new OfflinePlanner(helpdeskOfflineIntents);
const offer = 'You were charged twice.\n\nWould you like me to request a refund of $29.00 for the duplicate charge?';
const inputs: Record<string, string> = {
  'short question': 'Where is my order ORD-1001?',
  'typo-laden': 'i was chargd twcie for my subscripton, pls refnd',
  '4 KB repetitive': `${'no thanks '.repeat(400)}x`,
  '4 KB mixed words': Array.from({ length: 600 }, (_, i) => `word${i % 97}`).join(' '),
};

for (const [label, text] of Object.entries(inputs)) {
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    planner.classify({ text, previousReply: offer, earlierUserTexts: [] });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(3);
  console.log(`${label.padEnd(18)} p50 ${at(0.5)} ms  p99 ${at(0.99)} ms  (${iterations} runs, ${text.length} chars)`);
}
