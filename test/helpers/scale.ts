// How big the slow tests run. `TEST_SCALE=full` (CI: .ci/run sets it) runs them at full size: the
// fuzzer's 10,000 requests, every random edge case, every synthetic election. Without it (`npm test`
// on a developer's machine) they send fewer of the same requests, from the same seeds, and every
// assertion still runs: a quicker loop, the same properties.
export const FULL_SCALE = process.env.TEST_SCALE === 'full';

/** `full` under TEST_SCALE=full, else `quick`. */
export const scaled = (quick: number, full: number): number => (FULL_SCALE ? full : quick);
