/** USD per one million tokens. */
export interface Price {
  input: number;
  output: number;
}

/** Public list prices of common models (USD / 1M tokens); override with MODEL_PRICES. */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  offline: { input: 0, output: 0 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5': { input: 1.25, output: 10 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o3': { input: 2, output: 8 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
};

/** Used for models nobody priced: deliberately not cheap, so budgets err on the safe side. */
export const UNKNOWN_MODEL_PRICE: Price = { input: 5, output: 15 };

/** Looks up prices by exact name, then by the longest known prefix (dated snapshots). */
export class PriceTable {
  private readonly prices: Record<string, Price>;
  private readonly names: string[];

  constructor(overrides: Record<string, Price> = {}) {
    this.prices = { ...DEFAULT_PRICES, ...overrides };
    this.names = Object.keys(this.prices).sort((a, b) => b.length - a.length);
  }

  /** Price of a model; `known` is false when the fallback was used. */
  priceOf(model: string): { price: Price; known: boolean } {
    const exact = this.prices[model];
    if (exact) return { price: exact, known: true };
    const prefix = this.names.find((name) => model.startsWith(name));
    if (prefix) return { price: this.prices[prefix] as Price, known: true };
    return { price: UNKNOWN_MODEL_PRICE, known: false };
  }

  /** Cost in USD of a number of prompt and completion tokens. */
  cost(model: string, promptTokens: number, completionTokens: number): number {
    const { price } = this.priceOf(model);
    return (promptTokens * price.input + completionTokens * price.output) / 1_000_000;
  }
}
