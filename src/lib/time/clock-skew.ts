/**
 * How far in the future a member-reported time may lie: the clocks of phones, scales and gym
 * machines drift, and something done "now" on a clock a little ahead of ours must not be
 * refused. Further ahead is a mistake (a wrong date) and is refused.
 */
export const CLOCK_SKEW_ALLOWANCE_SECONDS = 300;

/** Whether an instant is later than `now` plus the clock-skew allowance. */
export const isBeyondClockSkew = (at: Date, now = Date.now()) =>
  at.getTime() > now + CLOCK_SKEW_ALLOWANCE_SECONDS * 1000;
