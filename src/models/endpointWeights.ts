/**
 * Traffic weights of an endpoint's variants: each variant gets weight / total of the
 * requests (SageMaker's rule). Checks what a user typed before it is sent.
 */

/** Why an entered weight is refused. */
export type WeightError = 'empty' | 'not-a-number' | 'negative';

export interface IWeightCheck {
  /** The weights to send, by variant; null while any entry is refused. */
  weights: Record<string, number> | null;
  /** The refused entries, by variant. */
  errors: Record<string, WeightError>;
  /** Every weight is 0: no variant would get traffic. */
  allZero: boolean;
  /** Each variant's share of the traffic in percent (0 for refused entries). */
  shares: Record<string, number>;
}

/** Parse a weight as typed: a finite non-negative number. */
export function parseWeight(text: string): number | WeightError {
  const trimmed = text.trim();
  if (!trimmed) {
    return 'empty';
  }
  // Number('') and Number('0x10') are too lenient: only decimal notation.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) {
    return 'not-a-number';
  }
  const value = Number(trimmed);
  if (!Number.isFinite(value)) {
    return 'not-a-number';
  }
  return value < 0 ? 'negative' : value;
}

/** Each weight's share of their total, in percent (all 0 when the total is 0). */
export function trafficShares(
  weights: Record<string, number>
): Record<string, number> {
  const total = Object.values(weights).reduce((sum, w) => sum + w, 0);
  const shares: Record<string, number> = {};
  for (const [name, weight] of Object.entries(weights)) {
    shares[name] = total > 0 ? (weight / total) * 100 : 0;
  }
  return shares;
}

/** Check entered weights: each a non-negative number, at least one above 0. */
export function checkWeights(entries: Record<string, string>): IWeightCheck {
  const errors: Record<string, WeightError> = {};
  const valid: Record<string, number> = {};
  for (const [name, text] of Object.entries(entries)) {
    const parsed = parseWeight(text);
    if (typeof parsed === 'number') {
      valid[name] = parsed;
    } else {
      errors[name] = parsed;
    }
  }
  const refused = Object.keys(errors).length > 0;
  const values = Object.values(valid);
  const allZero =
    values.length > 0 && !refused && values.every(value => value === 0);
  const shares = trafficShares(valid);
  for (const name of Object.keys(errors)) {
    shares[name] = 0;
  }
  return {
    weights: refused || allZero ? null : valid,
    errors,
    allZero,
    shares
  };
}

/** "70%", "33.3%", "<0.1%" — a share in few characters. */
export function formatShare(percent: number): string {
  if (percent > 0 && percent < 0.1) {
    return '<0.1%';
  }
  const rounded = Math.round(percent * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}%`;
}
