-- Headless Neovim (0.7+, its built-in LSP client) as an independent client of the TileCast server:
-- starts dist/server.js over stdio, opens FILE, waits for the client to initialize, asks for a hover at LINE/COL (0-based) and prints it, then quits. Driven by
-- test/neovim/neovim.test.ts: SERVER=... FILE=... LINE=... COL=... nvim --headless -u NONE -c "luafile hover-probe.lua"
local server, file = os.getenv('SERVER'), os.getenv('FILE')
local line, col = tonumber(os.getenv('LINE') or '0'), tonumber(os.getenv('COL') or '0')
vim.cmd('edit ' .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({ name = 'tilecast', cmd = { 'node', server, '--stdio' }, root_dir = vim.fn.getcwd() })
vim.lsp.buf_attach_client(buf, id)
local ok = vim.wait(20000, function() local c = vim.lsp.get_client_by_id(id); return c ~= nil and c.initialized end, 20)
print('initialized: ' .. tostring(ok))
-- The server answers the hover once it has loaded its parsers and model: no wait needed before asking.
local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = col } }
local okHover, res = pcall(vim.lsp.buf_request_sync, buf, 'textDocument/hover', params, 20000)
if not okHover then print('hover failed: ' .. tostring(res)); res = {} end
for _, r in pairs(res or {}) do
  if r.err then print('hover error: ' .. vim.inspect(r.err)) end
  local c = r.result and r.result.contents
  print('hover: ' .. (c and (type(c) == 'table' and (c.value or vim.inspect(c)) or c) or 'nil'))
end
vim.lsp.stop_client(id)
vim.cmd('qa!')
