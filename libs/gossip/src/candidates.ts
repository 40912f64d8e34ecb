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

  /** True for a record not yet a candidate (the caller probes it at once); refreshes a known one. */
  add(enr: ENR, nowMs: number): boolean {
    const known = this.byId.get(enr.nodeId);
    if (known) {
      known.heardAtMs = nowMs;
      return false;
    }
    this.byId.set(enr.nodeId, { enr, heardAtMs: nowMs, nextProbeAtMs: nowMs + this.retryMs });
    return true;
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
