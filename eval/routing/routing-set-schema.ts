import { z } from 'zod';

/** One labelled first message: the specialists that should take it (two or more: a cross-domain message). */
export const routingCaseSchema = z.object({
  text: z.string().min(1),
  expect: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).min(1),
});

/** The labelled routing set (`eval/routing/routing-set.yaml`). */
export const routingSetSchema = z.object({ messages: z.array(routingCaseSchema).min(60) });

export type RoutingCase = z.infer<typeof routingCaseSchema>;
