/**
 * The JS clock, which @hyperledger/fabric-gateway reads (`new Date()`) for a proposal's timestamp: the one thing a
 * proposal's builder chooses about time, and Fabric 2.5.9 peers do not bound it.
 */
import sinon from 'sinon';

/**
 * Runs FN with `Date` set back by MS (only Date is faked: timers, and with them gRPC, run as usual), so every
 * proposal built inside is dated MS in the past; the clock is restored afterwards, whatever FN does.
 */
export async function withClockSetBack<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const clock = sinon.useFakeTimers({ now: Date.now() - ms, shouldAdvanceTime: true, toFake: ['Date'] });
  try {
    return await fn();
  } finally {
    clock.restore();
  }
}

/** Resolves once the real clock has passed AT (milliseconds since the epoch). */
export async function sleepUntil(at: number): Promise<void> {
  const wait = at - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
