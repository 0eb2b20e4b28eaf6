// Ranking candidates of one problem on one GPU with the learned correction's shape kept. The applicability
// check shrinks each prediction's correction (log ratio to the analytic model) toward 0 by its kept share;
// applied to each candidate alone that also shrinks the differences between the candidates, which is what a
// ranking reads and what transfers best to an unseen GPU (models/README.md, "Rankings want the correction's
// shape"). A group instead takes its level from one reference candidate's shrunk correction and keeps every
// candidate's difference from the reference unshrunk:
//   corrected_i = shrunk_ref + (raw_i − raw_ref)
// so the reference is unchanged, a group whose kept share is 1 is unchanged, and the order within a group is
// the unshrunk forest's. Pure: numbers in, numbers out. Shared by the batch predictor (predict-batch.ts) and
// the evaluation's ranking figures, so both rank the same way.

/** No group: the item's prediction stands alone. */
export const NO_GROUP = undefined;

/**
 * Per item, the shift (target space, added to its shrunk correction) that keeps its group's shape.
 * `raw` and `shrunk` are the corrections before and after the applicability shrink; `groups` holds each
 * item's group key (NO_GROUP for none). A group's reference is its item with `reference[i]` true (the
 * first such), else the item whose raw correction is the group's median (the lower of the middle two, the
 * earlier of equals). Items with a non-finite correction get 0 and are never the reference.
 */
export function shapeShifts(
  raw: ArrayLike<number>,
  shrunk: ArrayLike<number>,
  groups: ArrayLike<string | number | undefined>,
  reference?: ArrayLike<boolean>,
): Float64Array {
  const n = groups.length;
  const out = new Float64Array(n);
  const members = new Map<string | number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups[i];
    if (g === NO_GROUP || !Number.isFinite(raw[i]!) || !Number.isFinite(shrunk[i]!)) continue;
    let list = members.get(g);
    if (!list) members.set(g, (list = []));
    list.push(i);
  }
  for (const list of members.values()) {
    let ref = reference ? (list.find((i) => reference[i]) ?? -1) : -1;
    if (ref < 0) {
      const sorted = [...list].sort((a, b) => raw[a]! - raw[b]! || a - b);
      ref = sorted[(sorted.length - 1) >> 1]!;
    }
    const level = shrunk[ref]! - raw[ref]!;
    for (const i of list) out[i] = level + raw[i]! - shrunk[i]!;
    out[ref] = 0;
  }
  return out;
}
