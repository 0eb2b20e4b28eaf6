import embed from 'vega-embed';
import { rooflineData } from './data.js';
const t0 = performance.now();
const { lines, points } = rooflineData();
const div = document.createElement('div');
document.body.append(div);
embed(
  div,
  {
    width: 640,
    height: 400,
    layer: [
      {
        data: { values: lines },
        mark: 'line',
        encoding: {
          x: { field: 'ai', type: 'quantitative', scale: { type: 'log' } },
          y: { field: 'tflops', type: 'quantitative', scale: { type: 'log' } },
          color: { field: 'gpu' },
        },
      },
      {
        data: { values: points },
        mark: 'point',
        encoding: { x: { field: 'ai', type: 'quantitative' }, y: { field: 'tflops', type: 'quantitative' }, color: { field: 'gpu' } },
      },
    ],
  },
  { renderer: 'svg', actions: false },
).then(() => {
  window.renderMs = performance.now() - t0;
});
