// The summary `kt-ptxas.ts` prints over its CSV rows: ptxas registers and spills by accumulators per thread,
// by SA/SB and by tile, the fastest configurations per GPU, sm_75 against sm_86, and TileCast's register
// estimate (server/src/perf/resource-estimate.ts) against ptxas. Formatting only: no I/O, no compiling.
import { estimateKernelResources } from '../../server/src/perf/resource-estimate';
import { accumulators, kernelName, GPUS, type Config, type Row, type PtxasResult } from './kt-ptxas';

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** An integer as is, anything else with one decimal. */
function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

function stats(values: number[]): string {
  const s = values.slice().sort((a, b) => a - b);
  if (s.length === 0) return 'n/a';
  const f = fmt;
  return `min ${s[0]} p10 ${f(quantile(s, 0.1))} median ${f(quantile(s, 0.5))} p90 ${f(quantile(s, 0.9))} max ${s[s.length - 1]}`;
}

const spills = (p: PtxasResult) => p.spillStores > 0 || p.spillLoads > 0;

function pct(a: number, b: number): string {
  return b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`;
}

function table(header: string[], body: (string | number)[][]): string {
  const cells = [header, ...body.map((r) => r.map(String))];
  const w = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')).join('\n');
}

const ACC_BUCKETS: [string, number, number][] = [
  ['1-8', 1, 8],
  ['9-32', 9, 32],
  ['33-64', 33, 64],
  ['65-128', 65, 128],
  ['>128', 129, Number.POSITIVE_INFINITY],
];

function groupSummary(rows: Row[], label: (r: Row) => string, order: string[]): string {
  const body: (string | number)[][] = [];
  for (const g of order) {
    const rs = rows.filter((r) => r.result && label(r) === g);
    if (rs.length === 0) continue;
    const regs = rs.map((r) => r.result!.registers).sort((a, b) => a - b);
    const nSpill = rs.filter((r) => spills(r.result!)).length;
    const acc = rs.map((r) => accumulators(r.entry.config)).sort((a, b) => a - b);
    body.push([
      g,
      rs.length,
      fmt(quantile(acc, 0.5)),
      regs[0],
      fmt(quantile(regs, 0.5)),
      regs[regs.length - 1],
      `${nSpill} (${pct(nSpill, rs.length)})`,
      nSpill === 0
        ? '-'
        : fmt(
            quantile(
              rs
                .filter((r) => spills(r.result!))
                .map((r) => r.result!.spillStores)
                .sort((a, b) => a - b),
              0.5,
            ),
          ),
    ]);
  }
  return table(['group', 'n', 'median acc', 'min regs', 'median regs', 'max regs', 'spilling', 'median spill stores B (spilling)'], body);
}

function accBucket(r: Row): string {
  const a = accumulators(r.entry.config);
  return ACC_BUCKETS.find(([, lo, hi]) => a >= lo && a <= hi)![0];
}

/** TileCast's estimate (resource-estimate.ts) for a configuration, as the analytic model calls it for a SIMT tile. */
function estimate(c: Config): { registersDemand: number; registersLowerBound: number } {
  return estimateKernelResources({
    threadsPerBlock: c.MDIMC * c.NDIMC,
    tileM: c.MWG,
    tileN: c.NWG,
    tileK: c.KWG,
    threadTileM: c.MWG / c.MDIMC,
    threadTileN: c.NWG / c.NDIMC,
    dtypeBytes: 4,
  });
}

/** The estimate's registersDemand for a configuration. */
export function estimatedDemand(c: Config): number {
  return estimate(c).registersDemand;
}

/**
 * Under a register cap (kt-ptxas.ts --maxnreg N): per accumulator count, the share of configurations ptxas
 * spills and its median spill stores, against the share the estimate predicts to spill, by registersDemand
 * (the analytic model's spill term) and by registersLowerBound (the registers-over-limit diagnostic).
 */
export function capComparison(rows: Row[], cap: number): string {
  const ok = rows.filter((r) => r.result);
  const body: (string | number)[][] = [];
  for (const acc of [...new Set(ok.map((r) => accumulators(r.entry.config)))].sort((a, b) => a - b)) {
    const g = ok.filter((r) => accumulators(r.entry.config) === acc);
    const est = g.map((r) => estimate(r.entry.config));
    const median = (v: number[]) =>
      fmt(
        quantile(
          v.sort((a, b) => a - b),
          0.5,
        ),
      );
    body.push([
      acc,
      g.length,
      pct(g.filter((r) => spills(r.result!)).length, g.length),
      median(g.map((r) => r.result!.spillStores)),
      pct(est.filter((e) => e.registersDemand > cap).length, g.length),
      median(est.map((e) => Math.max(0, e.registersDemand - cap))),
      pct(est.filter((e) => e.registersLowerBound > cap).length, g.length),
      median(est.map((e) => Math.max(0, e.registersLowerBound - cap))),
    ]);
  }
  const errors = rows.length - ok.length;
  return [
    `sm_75 with a cap of ${cap} registers per thread (__maxnreg__): ${ok.length} configurations compiled${errors ? `, ${errors} with an error` : ''}`,
    table(['acc', 'n', 'ptxas spills', 'median spill stores B', 'demand > cap', 'median demand - cap', 'lower bound > cap', 'median lower bound - cap'], body),
  ].join('\n');
}

/** Measured registers against registersDemand: error where ptxas did not spill, and spill prediction (demand > 255). */
function estimateComparison(ok: Row[]): string {
  const out: string[] = ['registersDemand (server/src/perf/resource-estimate.ts) against ptxas:'];
  const noSpill = ok.filter((r) => !spills(r.result!));
  const err = noSpill.map((r) => estimatedDemand(r.entry.config) - r.result!.registers).sort((a, b) => a - b);
  const rel = noSpill.map((r) => Math.abs(estimatedDemand(r.entry.config) - r.result!.registers) / r.result!.registers).sort((a, b) => a - b);
  out.push(
    `  where ptxas does not spill (${noSpill.length}): demand - registers ${stats(err)}; median |relative error| ${(100 * quantile(rel, 0.5)).toFixed(1)}%`,
  );
  const body: (string | number)[][] = [];
  for (const [b, lo, hi] of ACC_BUCKETS) {
    const g = noSpill.filter((r) => accumulators(r.entry.config) >= lo && accumulators(r.entry.config) <= hi);
    if (g.length === 0) continue;
    const d = g.map((r) => estimatedDemand(r.entry.config) - r.result!.registers).sort((x, y) => x - y);
    body.push([b, g.length, fmt(quantile(d, 0.5)), `${fmt(quantile(d, 0.1))}..${fmt(quantile(d, 0.9))}`]);
  }
  out.push(table(['acc', 'n (no spill)', 'median demand-regs', 'p10..p90'], body));
  const predicted = (r: Row) => estimatedDemand(r.entry.config) > 255;
  const tp = ok.filter((r) => predicted(r) && spills(r.result!)).length;
  const fp = ok.filter((r) => predicted(r) && !spills(r.result!)).length;
  const fn = ok.filter((r) => !predicted(r) && spills(r.result!)).length;
  const tn = ok.length - tp - fp - fn;
  out.push(`  spill prediction (demand > 255) vs ptxas spills: both ${tp}, estimate only ${fp}, ptxas only ${fn}, neither ${tn}`);
  return out.join('\n');
}

export function summarize(rows: Row[]): string {
  const out: string[] = [];
  const archs = [...new Set(rows.map((r) => r.arch))].sort();
  for (const arch of archs) {
    const rs = rows.filter((r) => r.arch === arch);
    const ok = rs.filter((r) => r.result);
    const errors = rs.filter((r) => !r.result);
    out.push(`\n=== ${arch}: ${rs.length} configurations, ${ok.length} compiled, ${errors.length} with an error ===`);
    for (const e of errors.slice(0, 5)) out.push(`  error: ${kernelName(e.entry.config)}: ${e.error}`);
    out.push(`registers: ${stats(ok.map((r) => r.result!.registers))}`);
    const hist = new Map<string, number>();
    for (const r of ok) {
      const b = Math.min(7, Math.floor((r.result!.registers - 1) / 32));
      const k = b === 7 ? '225-255' : `${b * 32 + 1}-${b * 32 + 32}`;
      hist.set(k, (hist.get(k) ?? 0) + 1);
    }
    out.push(
      'register histogram: ' +
        [...hist.entries()]
          .sort((a, b) => Number(a[0].split('-')[0]) - Number(b[0].split('-')[0]))
          .map(([k, v]) => `${k}: ${v}`)
          .join(', '),
    );
    const nSpill = ok.filter((r) => spills(r.result!)).length;
    out.push(
      `spilling (spill stores or loads > 0): ${nSpill} of ${ok.length} (${pct(nSpill, ok.length)}); at 255 registers: ${ok.filter((r) => r.result!.registers >= 255).length}`,
    );
    out.push(`stack frame > 0: ${ok.filter((r) => r.result!.stackFrame > 0).length}`);
    const small = ok.filter((r) => spills(r.result!) && r.result!.spillStores <= 64);
    const atRegs = new Map<number, number>();
    for (const r of small) atRegs.set(r.result!.registers, (atRegs.get(r.result!.registers) ?? 0) + 1);
    const large = ok.filter((r) => spills(r.result!) && r.result!.spillStores > 64);
    out.push(
      `small spills (<= 64 B of spill stores): ${small.length}, at ${[...atRegs.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([k, v]) => `${k} registers: ${v}`)
        .join(', ')}; larger spills: ${large.length} (spill stores ${stats(large.map((r) => r.result!.spillStores))} B)`,
    );
    out.push('\nby accumulators per thread (MWI·NWI):');
    out.push(
      groupSummary(
        ok,
        accBucket,
        ACC_BUCKETS.map((b) => b[0]),
      ),
    );
    out.push('\nby SA/SB:');
    out.push(groupSummary(ok, (r) => `SA${r.entry.config.SA} SB${r.entry.config.SB}`, ['SA0 SB0', 'SA0 SB1', 'SA1 SB0', 'SA1 SB1']));
    out.push('\nby accumulators per thread and SA/SB (median regs / share spilling / n):');
    const sasb = ['SA0 SB0', 'SA0 SB1', 'SA1 SB0', 'SA1 SB1'];
    out.push(
      table(
        ['acc', ...sasb],
        ACC_BUCKETS.map(([b]) => [
          b,
          ...sasb.map((s) => {
            const g = ok.filter((r) => accBucket(r) === b && `SA${r.entry.config.SA} SB${r.entry.config.SB}` === s);
            if (g.length === 0) return '-';
            const regs = g.map((r) => r.result!.registers).sort((x, y) => x - y);
            return `${fmt(quantile(regs, 0.5))} / ${pct(g.filter((r) => spills(r.result!)).length, g.length)} / ${g.length}`;
          }),
        ]),
      ),
    );
    out.push('\nregisters per exact accumulator count (median, min-max, spilling):');
    const accs = [...new Set(ok.map((r) => accumulators(r.entry.config)))].sort((a, b) => a - b);
    out.push(
      table(
        ['acc', 'n', 'median regs', 'min-max', 'median regs-acc', 'spilling'],
        accs.map((a) => {
          const g = ok.filter((r) => accumulators(r.entry.config) === a);
          const regs = g.map((r) => r.result!.registers).sort((x, y) => x - y);
          return [
            a,
            g.length,
            fmt(quantile(regs, 0.5)),
            `${regs[0]}-${regs[regs.length - 1]}`,
            fmt(quantile(regs, 0.5) - a),
            pct(g.filter((r) => spills(r.result!)).length, g.length),
          ];
        }),
      ),
    );
    out.push('\nby threads per block (MDIMC·NDIMC; the launch bound caps registers at 65536 / threads, at most 255):');
    out.push(groupSummary(ok, (r) => String(r.entry.config.MDIMC * r.entry.config.NDIMC), ['64', '128', '256', '512', '1024']));
    out.push('\n' + estimateComparison(ok));
    const m128 = ok.filter((r) => r.entry.config.MWG === 128 && r.entry.config.NWG === 128 && r.entry.config.MDIMC === 16 && r.entry.config.NDIMC === 8);
    if (m128.length > 0) {
      out.push(`\nMWG=NWG=128, MDIMC=16, NDIMC=8 (128 accumulators/thread, 128 threads): ${m128.length} configurations`);
      out.push(groupSummary(m128, (r) => `SA${r.entry.config.SA} SB${r.entry.config.SB}`, sasb));
    }
    for (const g of GPUS) {
      const top = ok.filter((r) => r.entry.time[g.label] !== undefined).sort((a, b) => a.entry.time[g.label]! - b.entry.time[g.label]!);
      if (top.length === 0) continue;
      out.push(`\n5 fastest on ${g.label} (among those compiled for ${arch}):`);
      out.push(
        table(
          ['config', 'time ms', 'acc', 'regs', 'spill st/ld B', 'stack B', 'smem B'],
          top.slice(0, 5).map((r) => {
            const c = r.entry.config;
            const p = r.result!;
            return [
              `MWG${c.MWG} NWG${c.NWG} MDIMC${c.MDIMC} NDIMC${c.NDIMC} MDIMA${c.MDIMA} NDIMB${c.NDIMB} VWM${c.VWM} VWN${c.VWN} SA${c.SA} SB${c.SB}`,
              r.entry.time[g.label]!.toFixed(3),
              accumulators(c),
              p.registers,
              `${p.spillStores}/${p.spillLoads}`,
              p.stackFrame,
              p.smem,
            ];
          }),
        ),
      );
      const t300 = top.slice(0, 300);
      out.push(
        `  300 fastest: registers ${stats(t300.map((r) => r.result!.registers))}; spilling ${t300.filter((r) => spills(r.result!)).length}; accumulators ${stats(t300.map((r) => accumulators(r.entry.config)))}`,
      );
    }
  }
  if (archs.includes('sm_75') && archs.includes('sm_86')) {
    const a = new Map(rows.filter((r) => r.arch === 'sm_75' && r.result).map((r) => [r.entry.key, r.result!]));
    const pairs = rows.filter((r) => r.arch === 'sm_86' && r.result && a.has(r.entry.key)).map((r) => [a.get(r.entry.key)!, r.result!] as const);
    const diffs = pairs.map(([x, y]) => y.registers - x.registers).sort((p, q) => p - q);
    const same = diffs.filter((d) => d === 0).length;
    const within2 = diffs.filter((d) => Math.abs(d) <= 2).length;
    const spillAgree = pairs.filter(([x, y]) => spills(x) === spills(y)).length;
    const spillBytesSame = pairs.filter(([x, y]) => x.spillStores === y.spillStores && x.spillLoads === y.spillLoads).length;
    out.push(`\n=== sm_75 vs sm_86 on ${pairs.length} configurations compiled for both ===`);
    out.push(`identical register count: ${same} (${pct(same, pairs.length)}); within ±2: ${within2} (${pct(within2, pairs.length)})`);
    out.push(`sm_86 - sm_75 registers: ${stats(diffs)}; mean ${(diffs.reduce((s, d) => s + d, 0) / Math.max(1, diffs.length)).toFixed(2)}`);
    out.push(
      `spill / no-spill agreement: ${spillAgree} (${pct(spillAgree, pairs.length)}); identical spill bytes: ${spillBytesSame} (${pct(spillBytesSame, pairs.length)})`,
    );
    out.push(
      `spilling: sm_75 ${pairs.filter(([x]) => spills(x)).length}, sm_86 ${pairs.filter(([, y]) => spills(y)).length}; smem identical: ${pairs.filter(([x, y]) => x.smem === y.smem).length}`,
    );
  }
  return out.join('\n');
}
