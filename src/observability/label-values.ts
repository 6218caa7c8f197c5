/** What a label becomes when its value is not one we know: cardinality stays bounded. */
export const OTHER = 'other';

/**
 * Label values from a known set (registered tools, priced models), anything
 * else as `other`: a model can invent tool names, a server can answer with
 * any model name, and neither may grow the number of series.
 */
export class BoundedLabel {
  private readonly known: Set<string>;

  constructor(known: Iterable<string>) {
    this.known = new Set(known);
  }

  /** The value if known, else `other`. */
  of(value: unknown): string {
    return typeof value === 'string' && this.known.has(value) ? value : OTHER;
  }
}

/** A code-like value (`model_http_429`, `user_request`): kept if it looks like an identifier, else `other`. */
export function codeLabel(value: unknown): string {
  return typeof value === 'string' && /^[a-z][a-z0-9_:.-]{0,47}$/i.test(value) ? value : OTHER;
}
