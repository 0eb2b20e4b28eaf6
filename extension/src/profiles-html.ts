// The "Show my profiles" webview page: static HTML with a strict Content-Security-Policy and a per-load
// nonce. The rows arrive by postMessage; no VS Code API here, so a test can build the same page.

/** `asset(name)` is the webview URI of dist/webview/<name>; `cspSource` is the webview's own origin. */
export function profilesHtml(cspSource: string, asset: (name: string) => string, nonce: string): string {
  const csp = ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`, `font-src ${cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('profiles.css')}">
<title>TileCast: my profiles</title>
</head>
<body>
<script nonce="${nonce}" src="${asset('profiles.js')}"></script>
</body>
</html>`;
}
