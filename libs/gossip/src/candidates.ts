import type { ENR } from '@chainsafe/enr';

interface Candidate {
  readonly enr: ENR;
  heardAtMs: number;
  nextProbeAtMs: number;
}

/**
 * Records learnt from members' gossip. Third-party word is never trusted as liveness: a candidate
 * is only probed, and becomes a member when it answers itself. One nobody mentions any more is
 * forgotten after `forgetAfterMs`.
 */
export class Candidates {
  private readonly byId = new Map<string, Candidate>();

  constructor(
    private readonly retryMs: number,
    private readonly forgetAfterMs: number,
  ) {}

  /** A new candidate, due for a probe at `nextProbeAtMs`. */
  add(enr: ENR, nowMs: number, nextProbeAtMs: number): void {
    this.byId.set(enr.nodeId, { enr, heardAtMs: nowMs, nextProbeAtMs });
  }

  /** A member mentioned it again: keep it. */
  heard(id: string, nowMs: number): void {
    const candidate = this.byId.get(id);
    if (candidate) candidate.heardAtMs = nowMs;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  /** Records due for another probe; drops candidates that `settled` says are known now, or stale. */
  due(nowMs: number, settled: (id: string) => boolean): ENR[] {
    const due: ENR[] = [];
    for (const [id, candidate] of this.byId) {
      if (settled(id) || nowMs - candidate.heardAtMs > this.forgetAfterMs) {
        this.byId.delete(id);
      } else if (nowMs >= candidate.nextProbeAtMs) {
        candidate.nextProbeAtMs = nowMs + this.retryMs;
        due.push(candidate.enr);
      }
    }
    return due;
  }
}
