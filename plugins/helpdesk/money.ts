/** Integer cents to a USD amount with two decimals. */
export function usd(cents: number): number {
  return Math.round(cents) / 100;
}

/** A USD amount to integer cents (amounts are validated to whole cents first). */
export function cents(amountUsd: number): number {
  return Math.round(amountUsd * 100);
}

/** True when the amount has no fraction of a cent (floating point tolerant). */
export function isWholeCents(amountUsd: number): boolean {
  return Math.abs(amountUsd * 100 - Math.round(amountUsd * 100)) < 1e-6;
}

/** `$1,234.50`. */
export function formatUsd(amountUsd: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(amountUsd);
}
