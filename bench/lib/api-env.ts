// How the bench's API children depart from the defaults, in one place for bench/run.ts and the
// report: every request of the bench comes from 127.0.0.1, so the per-IP rate limit (1200/min by
// default) would answer 429 after the first few hundred. It stays on, with a limit no run reaches,
// so its cost per request is measured. Load shedding (OVERLOAD_MAX_EVENT_LOOP_DELAY_MS) keeps its
// default, and so does everything else.
export const BENCH_API_ENV = { RATE_LIMIT_MAX: '100000000' } as const;
