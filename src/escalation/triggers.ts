import type { Urgency } from '../ports';

export type EscalationTrigger =
  | 'user_request'
  | 'frustration'
  | 'model_tool'
  | 'tool_failures'
  | 'model_unavailable'
  | 'budget_exhausted'
  /** The bot was restarted while answering, more than once. */
  | 'turn_interrupted'
  /** An approved action was interrupted and must be verified by hand. */
  | 'tool_outcome_unknown';

export interface DetectedEscalation {
  trigger: EscalationTrigger;
  urgency: Urgency;
  reason: string;
}

const HUMAN_WORDS = '(?:a\\s+|an\\s+|your\\s+|the\\s+|some\\s+)?(?:real\\s+|live\\s+|actual\\s+)?(?:human|person|people|manager|supervisor|agent|representative|rep|someone|somebody|operator|boss|staff member)';
const ASKS_FOR_HUMAN = [
  new RegExp(`\\b(?:speak|talk|chat|connect me|put me through|transfer me)\\s+(?:to|with)\\s+${HUMAN_WORDS}\\b`, 'i'),
  new RegExp(`\\b(?:get|give|send|need|want)\\s+(?:me\\s+)?${HUMAN_WORDS}\\b`, 'i'),
  /\b(?:human|manager|supervisor|real person|live agent)\s*(?:please|now|asap|immediately)\b/i,
  /\bescalate\b/i,
  /^\s*(?:human|agent|manager|operator)\s*[.!]*\s*$/i,
];
const URGENT = /\b(?:immediately|right now|asap|urgent(?:ly)?|emergency)\b|!{2,}/i;
const ABUSE = /\b(?:fuck\w*|shit\w*|bullshit|crap|damn you|idiot\w*|stupid|moron|useless|pathetic|garbage|scam(?:mers?)?|worst (?:service|company|support)|rip[- ]?off)\b/i;
const FRUSTRATION = /\b(?:ridiculous|unacceptable|fed up|sick of|furious|outrageous|this is a joke|third time|again and again|nobody helps|never works|waste of (?:my )?time)\b/i;

/**
 * Escalations the engine decides on before the model is asked: the user
 * wants a human, or is abusive or strongly frustrated. Cheap and
 * deterministic, so it works when the model is down or the budget is gone.
 */
export function detectEscalation(text: string): DetectedEscalation | undefined {
  const urgent = URGENT.test(text);
  if (ASKS_FOR_HUMAN.some((re) => re.test(text))) {
    const manager = /\b(?:manager|supervisor|boss)\b/i.test(text);
    return {
      trigger: 'user_request',
      urgency: urgent || manager ? 'high' : 'normal',
      reason: manager ? 'Customer asked for a manager' : 'Customer asked for a human',
    };
  }
  if (ABUSE.test(text)) {
    return { trigger: 'frustration', urgency: 'high', reason: 'Customer is upset or abusive' };
  }
  const shouting = text.length >= 12 && /[A-Z]/.test(text) && text === text.toUpperCase() && /[A-Z]{4,}/.test(text);
  if (FRUSTRATION.test(text) || (shouting && URGENT.test(text))) {
    return { trigger: 'frustration', urgency: urgent ? 'high' : 'normal', reason: 'Customer is strongly frustrated' };
  }
  return undefined;
}
