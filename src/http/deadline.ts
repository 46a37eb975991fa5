// One deadline for the whole run (input timeout-seconds): every request's own timeout is
// capped by what is left, so the preflight can never hold a pipeline past it.

export class Deadline {
  readonly expiresAt: number

  constructor(ms: number, now: () => number = Date.now) {
    this.now = now
    this.expiresAt = now() + ms
  }

  private readonly now: () => number

  remainingMs(): number {
    return Math.max(0, this.expiresAt - this.now())
  }

  expired(): boolean {
    return this.remainingMs() <= 0
  }

  /** Milliseconds a single attempt may take: its own budget, capped by the run's deadline. */
  budget(perAttemptMs: number): number {
    return Math.min(perAttemptMs, this.remainingMs())
  }
}
