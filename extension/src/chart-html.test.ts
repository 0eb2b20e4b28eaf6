// The chart page inlines our bundles under a nonce-only CSP: text that would end the <script>/<style> early
// (or switch the HTML parser's script state) is refused, the CSP admits nothing but the nonce, and the
// shipped dist/webview/ bundle inlines (npm run build makes it; esbuild.mjs checks it too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartHtml } from './chart-html';

const style = 'body{color:red}';

test('the page holds the first-paint script and stylesheet under the nonce, the full script inert, and a CSP with nothing but the nonce', () => {
  const html = chartHtml({ boot: 'start()', script: 'console.log(1<2)', style }, 'abc123');
  assert.match(html, /<script nonce="abc123">start\(\)<\/script>/);
  assert.match(html, /<script type="text\/plain" id="tilecast-main">console\.log\(1<2\)<\/script>/, 'run by the first-paint script, with the nonce');
  assert.equal(html.match(/<script/g)?.length, 2);
  assert.match(html, /<style nonce="abc123">body\{color:red\}<\/style>/);
  const csp = /content="([^"]*)"/.exec(html)![1];
  assert.equal(csp, "default-src 'none'; script-src 'nonce-abc123'; style-src 'nonce-abc123'; img-src data: blob:");
  assert.doesNotMatch(html, /src=|href=|unsafe/, 'no file, no URL, no unsafe- source');
});

test('text that would break out of the inline elements is refused, not inlined', () => {
  for (const script of ['x="</script><b>"', 'x="</SCRIPT "', 'y="<!--"']) {
    assert.throws(() => chartHtml({ boot: '', script, style }, 'abc123'), /charts\.js cannot be inlined/, script);
    assert.throws(() => chartHtml({ boot: script, script: '', style }, 'abc123'), /boot\.js cannot be inlined/, script);
  }
  assert.throws(() => chartHtml({ boot: '', script: '', style: 'a::after{content:"</style>"}' }, 'abc123'), /charts\.css cannot be inlined/);
  assert.throws(() => chartHtml({ boot: '', script: '', style }, 'a"b'), /nonce/);
  // esbuild's own escape of the same text is fine.
  assert.doesNotThrow(() => chartHtml({ boot: 'x="<\\/script>"', script: 'x="<\\/script>"', style: 'a::after{content:"<\\/style>"}' }, 'abc123'));
});

test('the built bundle (dist/webview/boot.js, charts.js, charts.css) inlines', () => {
  const dir = join(__dirname, '..', '..', 'dist', 'webview');
  const [boot, script] = [readFileSync(join(dir, 'boot.js'), 'utf8'), readFileSync(join(dir, 'charts.js'), 'utf8')];
  const html = chartHtml({ boot, script, style: readFileSync(join(dir, 'charts.css'), 'utf8') }, 'abc123');
  assert.ok(html.length > script.length + boot.length);
  assert.equal(html.match(/<\/script/gi)?.length, 2, 'the only </script are the elements’ own ends');
});
