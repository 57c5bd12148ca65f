// Growth rate and time to exhaustion from the recent samples of `porttop watch`: a least-squares line
// through the last few points, so one noisy sample neither hides a climb nor invents one.

export interface TrendPoint {
  /** milliseconds since the epoch */
  atMs: number;
  value: number;
}

/** How many of the latest samples the line is fitted through. */
export const TREND_WINDOW_SAMPLES = 6;
/** Fewer points than this give no trend. */
export const TREND_MIN_POINTS = 3;
/** Below this growth (ports per minute) usage counts as flat, and no time to exhaustion is given. */
export const MIN_GROWTH_PER_MINUTE = 1;
/** Estimates further out than this (a week) are noise, not a forecast. */
export const MAX_ETA_SECONDS = 7 * 24 * 3600;

export interface Trend {
  /** fitted growth in ports per minute (negative when falling) */
  ratePerMinute: number;
  rising: boolean;
  /** seconds until value reaches the target at that rate; 0 when already there; null when not rising or too far */
  etaSeconds: number | null;
}

/** Least-squares slope in value per second, or null with fewer than two distinct times. */
export function slopePerSecond(points: readonly TrendPoint[]): number | null {
  const n = points.length;
  if (n < 2) return null;
  const t0 = points[0]!.atMs;
  let sumT = 0;
  let sumV = 0;
  for (const point of points) {
    sumT += (point.atMs - t0) / 1000;
    sumV += point.value;
  }
  const meanT = sumT / n;
  const meanV = sumV / n;
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    const dt = (point.atMs - t0) / 1000 - meanT;
    covariance += dt * (point.value - meanV);
    variance += dt * dt;
  }
  return variance === 0 ? null : covariance / variance;
}

/** The trend of the latest points toward a target value (e.g. the port count at which a range is exhausted). */
export function estimateTrend(points: readonly TrendPoint[], target: number, window = TREND_WINDOW_SAMPLES): Trend | null {
  const recent = points.slice(-window);
  if (recent.length < TREND_MIN_POINTS) return null;
  const slope = slopePerSecond(recent);
  if (slope === null) return null;
  const ratePerMinute = Math.round(slope * 60 * 10) / 10;
  const rising = slope * 60 >= MIN_GROWTH_PER_MINUTE;
  const current = recent[recent.length - 1]!.value;
  let etaSeconds: number | null = null;
  if (current >= target) etaSeconds = 0;
  else if (rising) {
    const eta = (target - current) / slope;
    // at least 1: 0 means "already there", which a value under the target is not
    etaSeconds = eta <= MAX_ETA_SECONDS ? Math.max(1, Math.ceil(eta)) : null;
  }
  return { ratePerMinute, rising, etaSeconds };
}

export interface Series<K> {
  key: K;
  points: readonly TrendPoint[];
  target: number;
}

/** Of several series (one per range), the one that runs out first; else the fastest riser; null when none rises. */
export function mostUrgentTrend<K>(series: readonly Series<K>[]): { key: K; trend: Trend } | null {
  let best: { key: K; trend: Trend } | null = null;
  for (const { key, points, target } of series) {
    const trend = estimateTrend(points, target);
    if (!trend || !trend.rising) continue;
    if (!best) {
      best = { key, trend };
      continue;
    }
    const a = trend.etaSeconds ?? Infinity;
    const b = best.trend.etaSeconds ?? Infinity;
    if (a < b || (a === b && trend.ratePerMinute > best.trend.ratePerMinute)) best = { key, trend };
  }
  return best;
}

/** 95 s -> "1m35s", 7300 s -> "2h01m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}
