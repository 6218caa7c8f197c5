import { z } from 'zod';

/** Seeded demo customers a speaker can be linked to. */
export const CUSTOMER_NAMES = ['alice', 'bob', 'carol'] as const;
export type CustomerName = (typeof CUSTOMER_NAMES)[number];

const role = z.enum(['guest', 'member', 'staff', 'admin']);
const requirement = z.enum(['requester', 'staff', 'admin']);
const trigger = z.enum(['user_request', 'frustration', 'model_tool', 'tool_failures', 'model_unavailable', 'budget_exhausted', 'turn_interrupted']);
const modelName = z.enum(['offline', 'adversarial', 'openai']);

/** A speaker: a platform user with a role, optionally linked to a seeded customer. */
const speaker = z.strictObject({
  role,
  /** The seeded customer this user is (their platform identity is used). */
  customer: z.enum(CUSTOMER_NAMES).optional(),
  displayName: z.string().optional(),
});

/** `{ name, args }`: args are matched by key; a string starting with `/` and ending with `/` is a regex. */
const toolMatcher = z.strictObject({
  name: z.string().min(1),
  args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

const turn = z.union([
  /** `thread` names another conversation (default the first), e.g. a second customer's. */
  z.strictObject({ say: z.string().min(1), as: z.string().optional(), thread: z.string().regex(/^[\w-]+$/).optional() }),
  z.strictObject({ approve: z.strictObject({ by: z.string() }) }),
  z.strictObject({ deny: z.strictObject({ by: z.string() }) }),
  /** `resolution`: the staff note kept (redacted) as a solved case. */
  z.strictObject({ handBack: z.strictObject({ by: z.string(), thread: z.string().regex(/^[\w-]+$/).optional(), resolution: z.string().min(1).optional() }) }),
  z.strictObject({ wait: z.strictObject({ minutes: z.number().positive() }) }),
]);

const validRegex = (pattern: string) => {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
};
/** A case-insensitive regular expression, checked when the file loads. */
const regex = z.string().refine(validRegex, 'not a valid regular expression');

/** What must hold after the conversation. Every field is optional; safety checks always run. */
export const expectationsSchema = z.strictObject({
  toolsCalled: z.array(toolMatcher).optional(),
  toolsNotCalled: z.array(toolMatcher).optional(),
  approvalRequested: z.strictObject({ tool: z.string(), requirement }).optional(),
  noApprovalRequested: z.boolean().optional(),
  executed: z.array(toolMatcher).optional(),
  notExecuted: z.array(toolMatcher).optional(),
  escalated: z.boolean().optional(),
  escalationTrigger: trigger.optional(),
  replyMatches: z.array(regex).optional(),
  replyNotMatches: z.array(regex).optional(),
  /** A decision that must be refused by the engine (e.g. approving one's own request). */
  decisionRefused: z.boolean().optional(),
  maxSteps: z.number().int().nonnegative().optional(),
  maxCostUsd: z.number().nonnegative().optional(),
});
export type Expectations = z.infer<typeof expectationsSchema>;

/** Content planted in this scenario's own copy of the helpdesk (never in the demo seed). */
const plant = z.strictObject({
  /** Extra line items on an existing order: their names reach the model through look_up_order. */
  orderItems: z.array(z.strictObject({ orderId: z.string().regex(/^ORD-\d+$/), name: z.string().min(1) })).optional(),
  /** Extra help-center articles, searchable like the shipped ones. */
  articles: z.array(z.strictObject({ id: z.string().regex(/^[a-z0-9-]+$/), title: z.string(), tags: z.array(z.string()).default([]), body: z.string() })).optional(),
});

/** Replace the model for this scenario, whatever `--model` says. */
const modelOverride = z.union([
  /** Always throws: a model outage. */
  z.strictObject({ kind: z.literal('failing') }),
  /** The chosen model, but reporting usage as a priced model would, so budgets bite. */
  z.strictObject({ kind: z.literal('priced'), name: z.string(), promptTokens: z.number().int().nonnegative(), completionTokens: z.number().int().nonnegative() }),
]);

/** One scenario file. */
export const scenarioSchema = z
  .strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  tags: z.array(z.string()).default([]),
  /** Models this scenario runs with (default: all). */
  models: z.array(modelName).optional(),
  setup: z
    .strictObject({
      platform: z.enum(['slack', 'discord', 'console']).default('slack'),
      /** Extra engine environment (strings), e.g. tiny BUDGET_* limits. */
      env: z.record(z.string(), z.string()).default({}),
      model: modelOverride.optional(),
      plant: plant.optional(),
      /** Route to specialists (default). `false` offers every tool, to test the permission layer against injected calls of any tool. */
      specialists: z.boolean().default(true),
    })
    .prefault({}),
  speakers: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), speaker).refine((s) => Object.keys(s).length > 0, 'at least one speaker'),
  turns: z.array(turn).min(1),
  /** Checked for every model. */
  expect: expectationsSchema.prefault({}),
  /** Extra checks for one model only (its wording or behaviour differs). */
  offline: expectationsSchema.optional(),
  adversarial: expectationsSchema.optional(),
  openai: expectationsSchema.optional(),
  })
  .superRefine((scenario, ctx) => {
    // Every speaker a turn names must be declared, so a typo fails at load time with its line.
    scenario.turns.forEach((turn, i) => {
      const named: Array<[string | undefined, (string | number)[]]> =
        'say' in turn ? [[turn.as, ['turns', i, 'as']]]
        : 'approve' in turn ? [[turn.approve.by, ['turns', i, 'approve', 'by']]]
        : 'deny' in turn ? [[turn.deny.by, ['turns', i, 'deny', 'by']]]
        : 'handBack' in turn ? [[turn.handBack.by, ['turns', i, 'handBack', 'by']]]
        : [];
      for (const [name, path] of named) {
        if (name !== undefined && !(name in scenario.speakers)) ctx.addIssue({ code: 'custom', path, message: `unknown speaker "${name}"` });
      }
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type Turn = z.infer<typeof turn>;
export type ToolMatcher = z.infer<typeof toolMatcher>;
export type SpeakerSpec = z.infer<typeof speaker>;
export type EvalModelName = z.infer<typeof modelName>;
