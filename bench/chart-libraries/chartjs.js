import { Chart, LineController, ScatterController, LineElement, PointElement, LogarithmicScale, Legend, Tooltip } from 'chart.js';
import { rooflineData } from './data.js';
Chart.register(LineController, ScatterController, LineElement, PointElement, LogarithmicScale, Legend, Tooltip);
const t0 = performance.now();
const { lines, points } = rooflineData();
const canvas = document.createElement('canvas');
canvas.width = 640;
canvas.height = 400;
document.body.append(canvas);
const gpus = [...new Set(lines.map((l) => l.gpu))];
new Chart(canvas, {
  type: 'line',
  options: { animation: false, responsive: false, scales: { x: { type: 'logarithmic' }, y: { type: 'logarithmic' } } },
  data: {
    datasets: [
      ...gpus.map((g) => ({ label: g, data: lines.filter((l) => l.gpu === g).map((l) => ({ x: l.ai, y: l.tflops })), pointRadius: 0 })),
      { type: 'scatter', label: 'kernel', data: points.map((p) => ({ x: p.ai, y: p.tflops })) },
    ],
  },
});
window.renderMs = performance.now() - t0;
