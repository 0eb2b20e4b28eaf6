// The chart page inlines our bundle under a nonce-only CSP: text that would end the <script>/<style> early
// (or switch the HTML parser's script state) is refused, the CSP admits nothing but the nonce, and the
// shipped dist/webview/ bundle inlines (npm run build makes it; esbuild.mjs checks it too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartHtml } from './chart-html';

const style = 'body{color:red}';

test('the page holds the script and stylesheet under the nonce, and a CSP with nothing but the nonce', () => {
  const html = chartHtml({ script: 'console.log(1<2)', style }, 'abc123');
  assert.match(html, /<script nonce="abc123">console\.log\(1<2\)<\/script>/);
  assert.match(html, /<style nonce="abc123">body\{color:red\}<\/style>/);
  const csp = /content="([^"]*)"/.exec(html)![1];
  assert.equal(csp, "default-src 'none'; script-src 'nonce-abc123'; style-src 'nonce-abc123'; img-src data: blob:");
  assert.doesNotMatch(html, /src=|href=|unsafe/, 'no file, no URL, no unsafe- source');
});

test('text that would break out of the inline elements is refused, not inlined', () => {
  for (const script of ['x="</script><b>"', 'x="</SCRIPT "', 'y="<!--"'])
    assert.throws(() => chartHtml({ script, style }, 'abc123'), /charts\.js cannot be inlined/, script);
  assert.throws(() => chartHtml({ script: '', style: 'a::after{content:"</style>"}' }, 'abc123'), /charts\.css cannot be inlined/);
  assert.throws(() => chartHtml({ script: '', style }, 'a"b'), /nonce/);
  // esbuild's own escape of the same text is fine.
  assert.doesNotThrow(() => chartHtml({ script: 'x="<\\/script>"', style: 'a::after{content:"<\\/style>"}' }, 'abc123'));
});

test('the built bundle (dist/webview/charts.js, charts.css) inlines', () => {
  const dir = join(__dirname, '..', '..', 'dist', 'webview');
  const script = readFileSync(join(dir, 'charts.js'), 'utf8');
  const html = chartHtml({ script, style: readFileSync(join(dir, 'charts.css'), 'utf8') }, 'abc123');
  assert.ok(html.length > script.length);
  assert.equal(html.match(/<\/script/gi)?.length, 1, 'the only </script is the element’s own end');
});
