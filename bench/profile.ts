/** How big each scenario is: the full run, or --quick (a CI smoke test that finishes in under a minute). */
export interface Profile {
  quick: boolean;
  rounds: number;
  ackTeamSize: number;
  ackConcurrency: number[];
  ackRequests(concurrency: number): number;
  warmup(concurrency: number): number;
  completionTeamSize: number;
  completionConcurrency: number[];
  completionRequests(concurrency: number): number;
  growthSizes: number[];
  growthRequests: number;
  bulkSubmissions: number;
  bulkAddresses: number;
  memoryTeamSize: number;
  memoryRequests: number;
  memoryWarmup: number;
  throughputRequests: number;
  throughputWarmup: number;
  progress(line: string): void;
}

export function profile(quick: boolean, progress: (line: string) => void): Profile {
  if (quick) {
    return {
      quick,
      rounds: 1,
      ackTeamSize: 1_000,
      // Not 64: a smoke test must not depend on how busy the CI machine is.
      ackConcurrency: [1, 16],
      ackRequests: (c) => (c === 1 ? 10 : c * 2),
      warmup: (c) => Math.max(5, c),
      completionTeamSize: 1_000,
      completionConcurrency: [1, 16],
      completionRequests: (c) => (c === 1 ? 10 : c * 2),
      growthSizes: [100, 1_000],
      growthRequests: 5,
      // Correctness only (nothing lost, nothing twice): small enough that a cold app on a busy
      // CI machine commits well inside Slack's 3 s. The full run does 20 × 50.
      bulkSubmissions: 2,
      bulkAddresses: 10,
      memoryTeamSize: 1_000,
      memoryRequests: 300,
      memoryWarmup: 30,
      throughputRequests: 200,
      throughputWarmup: 50,
      progress,
    };
  }
  return {
    quick,
    rounds: 5,
    ackTeamSize: 10_000,
    ackConcurrency: [1, 16, 64],
    ackRequests: (c) => Math.max(100, c * 8),
    warmup: (c) => Math.max(50, c * 4),
    completionTeamSize: 10_000,
    completionConcurrency: [1, 16],
    completionRequests: (c) => Math.max(100, c * 8),
    growthSizes: [100, 10_000, 100_000],
    growthRequests: 40,
    bulkSubmissions: 20,
    bulkAddresses: 50,
    memoryTeamSize: 10_000,
    memoryRequests: 20_000,
    memoryWarmup: 2_000,
    throughputRequests: 3_000,
    throughputWarmup: 1_000,
    progress,
  };
}
