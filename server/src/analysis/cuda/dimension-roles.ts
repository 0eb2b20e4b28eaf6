// Which parameters of a GEMM kernel are M, N and K when their names do not say so (llm.c's
// `matmul_forward_kernel1(out, inp, weight, bias, int BT, int C, int OC)`): read from how the kernel
// uses them. K bounds the loop of the dot product (`for (i = 0; i < C; i++) val += inp[..i..] * w[..i..]`);
// M and N bound the thread's output coordinates (`if (bt < BT && oc < OC)`), the one that strides the
// store's row (`out[bt * OC + oc]`) being N. Pure; read from the kernel's text, as warp-tiles.ts is.

type Role = 'm' | 'n' | 'k';

/** A declaration or assignment `name = expr;` whose expression reads one of `names` (or blockIdx/threadIdx). */
const ASSIGNMENT = /\b([A-Za-z_]\w*)\s*=(?!=)\s*([^;]*);/g;
/** `for (init; v < P; ...)` (also `<=`): the loop variable and the bound's text. */
const LOOP_HEAD = /\bfor\s*\([^;]*;\s*(\w+)\s*<=?\s*([^;]*);/g;
/** `lhs < rhs` (or `>=`, as in `if (row >= M) return;`) between two names. */
const BOUND = /\b([A-Za-z_]\w*)\s*(?:<|>=)\s*([A-Za-z_]\w*)\b(?!\s*[([.])/g;
/** A store `name[index] =` (not `==`). */
const STORE = /\b\w+\s*\[([^\][]*)\]\s*(?:=(?!=)|\+=)/g;

/**
 * Roles of `params` (the kernel's integer parameters by name) read from `body`, or an empty map when
 * K and at least one of M and N are not both found: a partial guess is not made.
 */
export function dimensionRoles(body: string, params: readonly string[]): Map<string, Role> {
  const roles = new Map<string, Role>();
  const isParam = new Set(params);
  if (isParam.size === 0) return roles;
  // The thread's coordinates: variables computed from blockIdx/threadIdx, through one more variable.
  const axisOf = new Map<string, 'x' | 'y' | 'xy'>();
  const axisIn = (expr: string): 'x' | 'y' | 'xy' | null => {
    const x = /\b(?:blockIdx|threadIdx)\.x\b/.test(expr);
    const y = /\b(?:blockIdx|threadIdx)\.y\b/.test(expr);
    let axis: 'x' | 'y' | 'xy' | null = x && y ? 'xy' : x ? 'x' : y ? 'y' : null;
    if (axis) return axis;
    for (const word of expr.match(/[A-Za-z_]\w*/g) ?? []) {
      const through = axisOf.get(word);
      if (through) axis = axis && axis !== through ? 'xy' : through;
    }
    return axis;
  };
  for (let step = 0; step < 2; step++) {
    for (const match of body.matchAll(ASSIGNMENT)) {
      if (isParam.has(match[1]!) || axisOf.has(match[1]!)) continue;
      const axis = axisIn(match[2]!);
      if (axis) axisOf.set(match[1]!, axis);
    }
  }
  // Output bounds: a coordinate compared with a parameter.
  const bounds = new Map<string, string>();
  for (const match of body.matchAll(BOUND)) {
    const [coordinate, bound] = [match[1]!, match[2]!];
    const axis = axisOf.get(coordinate);
    if (axis && axis !== 'xy' && isParam.has(bound) && !bounds.has(coordinate)) bounds.set(coordinate, bound);
  }
  // K: a parameter bounding a loop whose variable is not a thread coordinate, and no output coordinate.
  const bounding = new Set(bounds.values());
  let k: string | null = null;
  for (const match of body.matchAll(LOOP_HEAD)) {
    if (axisOf.has(match[1]!)) continue;
    const names = (match[2]!.match(/[A-Za-z_]\w*/g) ?? []).filter((name) => isParam.has(name) && !bounding.has(name));
    if (names.length === 1) {
      k = names[0]!;
      break;
    }
  }
  if (!k) return roles;
  // M and N: the coordinate multiplied by a parameter in a store's index is the row (its bound M; the
  // stride N); without such a store, y runs over rows and x over columns.
  let m: string | null = null;
  let n: string | null = null;
  for (const match of body.matchAll(STORE)) {
    const product = /\b(\w+)\s*\*\s*(\w+)\b/.exec(match[1]!);
    if (!product) continue;
    const [left, right] = [product[1]!, product[2]!];
    const row = bounds.has(left) && isParam.has(right) ? left : bounds.has(right) && isParam.has(left) ? right : null;
    if (!row) continue;
    const stride = row === left ? right : left;
    if (stride === k || stride === bounds.get(row)) continue;
    m = bounds.get(row)!;
    n = stride;
    break;
  }
  if (!m && !n) {
    for (const [coordinate, bound] of bounds) {
      if (axisOf.get(coordinate) === 'y') m ??= bound;
      else n ??= bound;
    }
  }
  if (!m && !n) return roles;
  roles.set(k, 'k');
  if (m && m !== k) roles.set(m, 'm');
  if (n && n !== k && n !== m) roles.set(n, 'n');
  return roles;
}
