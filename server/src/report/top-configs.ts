// Ranking among near-ties: which k candidate configurations of one problem to try first. Candidates are
// ranked by predicted runtime; a candidate is a near-tie when its prediction lies inside the best
// candidate's interval (the model cannot tell them apart), which is why k are recommended, not one.
// Pure: predictions in, picks out; no I/O, never throws.

export interface Candidate {
  /** Position of the candidate in the input (returned in the picks). */
  index: number;
  /** Problem the candidate belongs to (GPU, dtype, sizes, method): candidates compete within a group only. */
  group: string;
  runtimeMs: number;
  runtimeHiMs: number;
}

export interface TopPick {
  index: number;
  group: string;
  /** 1 = predicted fastest of its group. */
  rank: number;
  /** Its prediction lies within the interval of the group's predicted fastest. */
  nearTie: boolean;
}

export interface GroupSummary {
  group: string;
  candidates: number;
  /** Candidates whose prediction lies within the interval of the predicted fastest. */
  nearTies: number;
}

/**
 * The k predicted fastest candidates of each group (groups in first-seen order, picks by rank; equal
 * predictions keep input order). Candidates without a finite prediction are never picked.
 */
export function topConfigurations(candidates: readonly Candidate[], k: number): { picks: TopPick[]; groups: GroupSummary[] } {
  const byGroup = new Map<string, Candidate[]>();
  for (const c of candidates) {
    if (!(Number.isFinite(c.runtimeMs) && c.runtimeMs > 0)) continue;
    let list = byGroup.get(c.group);
    if (!list) byGroup.set(c.group, (list = []));
    list.push(c);
  }
  const picks: TopPick[] = [];
  const groups: GroupSummary[] = [];
  const take = Math.max(0, Math.floor(k));
  for (const [group, list] of byGroup) {
    list.sort((a, b) => a.runtimeMs - b.runtimeMs || a.index - b.index);
    const bestHi = Number.isFinite(list[0].runtimeHiMs) ? list[0].runtimeHiMs : list[0].runtimeMs;
    let nearTies = 0;
    for (const c of list) if (c.runtimeMs <= bestHi) nearTies++;
    groups.push({ group, candidates: list.length, nearTies });
    for (let r = 0; r < Math.min(take, list.length); r++) picks.push({ index: list[r].index, group, rank: r + 1, nearTie: list[r].runtimeMs <= bestHi });
  }
  return { picks, groups };
}
