import { createRequire } from 'node:module';

/** The part of an autocannon histogram this bench reads. */
interface Histogram {
  average: number;
  p50: number;
  p99: number;
  total: number;
}

/** The part of autocannon's result this bench reads (autocannon ships no types). */
interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}

/** The options this bench passes to autocannon. */
interface AutocannonOptions {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
  renderProgressBar: boolean;
  renderResultsTable: boolean;
  renderLatencyTable: boolean;
}

type Autocannon = (
  options: AutocannonOptions,
  done: (error: Error | null, result: AutocannonResult) => void,
) => unknown;

// Loaded through require with a local type rather than an ambient `declare module`, which would
// collide with any other declaration of the module in the bench project.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Shape of the load: the same for every arm. */
export interface LoadShape {
  /** Concurrent keep-alive connections. */
  connections: number;
  /** Requests in flight per connection. */
  pipelining: number;
}

/** What one load run measured. */
export interface LoadResult {
  /** Mean of the per-second request counts: requests/s. */
  requestsPerSec: number;
  /** Requests answered. */
  requests: number;
  /** Latency percentiles and mean, ms. */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Requests answered other than 2xx. */
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  /** Seconds the run lasted. */
  seconds: number;
}

/** Runs autocannon (in this process) against `url` for `seconds`. */
export function runLoad(url: string, seconds: number, shape: LoadShape): Promise<LoadResult> {
  return new Promise((resolveLoad, reject) => {
    autocannon(
      {
        url,
        connections: shape.connections,
        pipelining: shape.pipelining,
        duration: seconds,
        renderProgressBar: false,
        renderResultsTable: false,
        renderLatencyTable: false,
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        resolveLoad({
          requestsPerSec: result.requests.average,
          requests: result.requests.total,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          meanMs: result.latency.average,
          non2xx: result.non2xx,
          errors: result.errors,
          seconds: result.duration,
        });
      },
    );
  });
}
