export function rooflineData() {
  const roofs = [
    { name: 'RTX 4090', peak: 82.6, bw: 1008 },
    { name: 'H100 SXM', peak: 67, bw: 3350 },
    { name: 'A100', peak: 19.5, bw: 2039 },
  ];
  const lines = [];
  for (const r of roofs)
    for (let i = 0; i <= 60; i++) {
      const ai = 10 ** (-1 + (i * 5) / 60);
      lines.push({ gpu: r.name, ai, tflops: Math.min(r.peak, (ai * r.bw) / 1000) });
    }
  const points = roofs.map((r, i) => ({ gpu: r.name, ai: 2.7, tflops: 1.2 + i, lo: 1 + i, hi: 1.5 + i }));
  return { lines, points };
}
