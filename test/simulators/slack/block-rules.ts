/**
 * Slack's Block Kit limits, enforced like Slack does (`invalid_blocks`), so a
 * test passes only if the adapter stays within them.
 * Source: Block Kit reference (section text 3,000; fields 10 × 2,000; header 150;
 * 50 blocks per message; context 10 elements; button text 75, value 2,000).
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems with a blocks array, in Slack's `response_metadata.messages` style; empty when valid. */
export function blockProblems(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return ['[ERROR] blocks must be an array'];
  const problems: string[] = [];
  if (blocks.length > 50) problems.push(`[ERROR] no more than 50 items allowed [json-pointer:/blocks]`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  let markdownChars = 0;
  blocks.forEach((block, i) => {
    const at = `/blocks/${i}`;
    if (!isObject(block)) return problems.push(`[ERROR] must be an object [json-pointer:${at}]`);
    if (typeof block.block_id === 'string') {
      if (block.block_id.length > 255) problems.push(`[ERROR] block_id too long [json-pointer:${at}/block_id]`);
      if (blockIds.has(block.block_id)) problems.push(`[ERROR] duplicate block_id [json-pointer:${at}/block_id]`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) problems.push(`[ERROR] text or fields required [json-pointer:${at}]`);
        if (block.text !== undefined) checkText(block.text, 3000, `${at}/text`, problems);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length > 10) problems.push(`[ERROR] no more than 10 fields [json-pointer:${at}/fields]`);
          else block.fields.forEach((f, j) => checkText(f, 2000, `${at}/fields/${j}`, problems));
        }
        break;
      }
      case 'header':
        checkText(block.text, 150, `${at}/text`, problems, 'plain_text');
        break;
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10) {
          problems.push(`[ERROR] 1 to 10 elements [json-pointer:${at}/elements]`);
        } else block.elements.forEach((e, j) => checkText(e, 3000, `${at}/elements/${j}`, problems));
        break;
      case 'actions':
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 25) {
          problems.push(`[ERROR] 1 to 25 elements [json-pointer:${at}/elements]`);
          break;
        }
        block.elements.forEach((e, j) => {
          const ep = `${at}/elements/${j}`;
          if (!isObject(e) || e.type !== 'button') return problems.push(`[ERROR] unsupported element [json-pointer:${ep}]`);
          checkText(e.text, 75, `${ep}/text`, problems, 'plain_text');
          if (typeof e.value === 'string' && e.value.length > 2000) problems.push(`[ERROR] value too long [json-pointer:${ep}/value]`);
          if (typeof e.action_id !== 'string' || e.action_id.length > 255) problems.push(`[ERROR] bad action_id [json-pointer:${ep}]`);
          else if (actionIds.has(e.action_id)) problems.push(`[ERROR] duplicate action_id [json-pointer:${ep}/action_id]`);
          else actionIds.add(e.action_id);
          if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') problems.push(`[ERROR] bad style [json-pointer:${ep}]`);
        });
        break;
      case 'context_actions':
        // Slack's AI-app block: feedback buttons and icon buttons only, at most 5.
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 5) {
          problems.push(`[ERROR] 1 to 5 elements [json-pointer:${at}/elements]`);
          break;
        }
        block.elements.forEach((e, j) => {
          const ep = `${at}/elements/${j}`;
          if (!isObject(e) || (e.type !== 'feedback_buttons' && e.type !== 'icon_button')) return problems.push(`[ERROR] unsupported element [json-pointer:${ep}]`);
          if (typeof e.action_id !== 'string' || e.action_id.length > 255) problems.push(`[ERROR] bad action_id [json-pointer:${ep}]`);
          else if (actionIds.has(e.action_id)) problems.push(`[ERROR] duplicate action_id [json-pointer:${ep}/action_id]`);
          else actionIds.add(e.action_id);
          if (e.type !== 'feedback_buttons') return;
          for (const side of ['positive_button', 'negative_button'] as const) {
            const b = e[side];
            if (!isObject(b)) {
              problems.push(`[ERROR] ${side} required [json-pointer:${ep}]`);
              continue;
            }
            checkText(b.text, 75, `${ep}/${side}/text`, problems, 'plain_text');
            if (typeof b.value !== 'string' || b.value.length === 0 || b.value.length > 2000) problems.push(`[ERROR] bad value [json-pointer:${ep}/${side}/value]`);
          }
        });
        break;
      case 'divider':
        break;
      case 'markdown':
        // Standard markdown, rendered by Slack; 12,000 characters at most across a payload's markdown blocks.
        if (typeof block.text !== 'string' || block.text.length === 0) problems.push(`[ERROR] text required [json-pointer:${at}/text]`);
        else {
          markdownChars += block.text.length;
          if (markdownChars > 12_000) problems.push(`[ERROR] markdown text too long [json-pointer:${at}/text]`);
        }
        break;
      default:
        problems.push(`[ERROR] unsupported block type ${String(block.type)} [json-pointer:${at}]`);
    }
  });
  return problems;
}

function checkText(text: unknown, max: number, at: string, problems: string[], only?: 'plain_text'): void {
  if (!isObject(text) || (text.type !== 'mrkdwn' && text.type !== 'plain_text') || typeof text.text !== 'string') {
    problems.push(`[ERROR] must be a text object [json-pointer:${at}]`);
    return;
  }
  if (only && text.type !== only) problems.push(`[ERROR] must be plain_text [json-pointer:${at}]`);
  if (text.text.length === 0) problems.push(`[ERROR] must be more than 0 characters [json-pointer:${at}/text]`);
  if (text.text.length > max) problems.push(`[ERROR] must be less than ${max + 1} characters [json-pointer:${at}/text]`);
}
