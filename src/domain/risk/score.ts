export const RISK_LEVELS = ['low', 'moderate', 'high', 'very_high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface RiskBands {
  moderate: number;
  high: number;
  very_high: number;
}

export interface FactorContribution {
  name: string;
  label: string;
  contribution: number;
  reason: string;
}

export interface RiskAssessment {
  score: number;
  level: RiskLevel;
  factors: FactorContribution[];
}

/** The level of a score: each band starts at its threshold. */
export function levelOf(score: number, bands: RiskBands): RiskLevel {
  if (score >= bands.very_high) return 'very_high';
  if (score >= bands.high) return 'high';
  if (score >= bands.moderate) return 'moderate';
  return 'low';
}

/** Sums the contributions, rounds, and keeps the score within 0–100. */
export function scoreOf(factors: readonly FactorContribution[], bands: RiskBands): RiskAssessment {
  const raw = factors.reduce((sum, f) => sum + f.contribution, 0);
  const score = Math.max(0, Math.min(100, Math.round(raw)));
  return { score, level: levelOf(score, bands), factors: [...factors] };
}
