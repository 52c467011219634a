// The retry schedule: at least 8 attempts over at least 3 days, whatever the jitter draws.
import { describe, expect, it } from 'vitest';
import { JITTER, MAX_ATTEMPTS, RETRY_SCHEDULE_MS, retryDelayMs } from '../../src/webhooks/schedule.ts';

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const DAY = 24 * 60 * 60 * 1000;

describe('the webhook retry schedule', () => {
  it('makes at least 8 attempts spread over at least 3 days, even with the shortest jitter', () => {
    expect(MAX_ATTEMPTS).toBeGreaterThanOrEqual(8);
    const shortest = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, index) => retryDelayMs(index + 1, () => 0) ?? 0);
    expect(sum(shortest)).toBeGreaterThanOrEqual(3 * DAY);
    expect(retryDelayMs(MAX_ATTEMPTS, () => 0.5)).toBeNull();
  });

  it('backs off exponentially at first and never shrinks', () => {
    expect(RETRY_SCHEDULE_MS.slice(0, 4)).toEqual([30_000, 120_000, 600_000, 3_600_000]);
    for (let index = 1; index < RETRY_SCHEDULE_MS.length; index += 1) {
      expect(RETRY_SCHEDULE_MS[index]).toBeGreaterThanOrEqual(RETRY_SCHEDULE_MS[index - 1] ?? 0);
    }
  });

  it(`moves each wait by at most ${JITTER * 100}% either way`, () => {
    expect(retryDelayMs(1, () => 0)).toBe(27_000);
    expect(retryDelayMs(1, () => 1)).toBe(33_000);
    expect(retryDelayMs(2, () => 0.5)).toBe(120_000);
    const drawn = new Set(Array.from({ length: 50 }, () => retryDelayMs(3)));
    expect(drawn.size).toBeGreaterThan(1);
  });
});
