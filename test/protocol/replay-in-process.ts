// The stress test's edits (same generator and seed) replayed in-process: DocumentStore (with its
// analysis thread) and the ide's diagnosticsOf after each edit, without the protocol, printing requests
// slower than SLOW_MS (500 ms by default; all with VERBOSE=1). Found the diagnosticsOf hang of
// test/ide-long-lines.test.ts. Run:
//   node --import tsx test/protocol/replay-in-process.ts [edits] [seed]
import { DocumentStore, type ReportContext } from '../../server/src/lsp/documents';
import { resolveGpus } from '../../server/src/lsp/settings';
import { diagnosticsOf } from '../../server/src/ide/api';
import { DEFAULT_SETTINGS } from '../../server/src/ide/protocol';
import { AnalysisThread } from '../../server/src/platform/analysis-thread';
import { loadShippedPredictor } from '../../server/src/platform/models';
import type { LspTestClient } from './lsp-client';
import { runRandomEdits, stressFiles } from './random-edits';

async function main(): Promise<void> {
  const thread = new AnalysisThread((_level, message) => console.error(message));
  await thread.ready();
  const model = await loadShippedPredictor();
  const store = new DocumentStore(thread);
  const { m, n, k } = DEFAULT_SETTINGS.defaultProblemSize;
  const context: ReportContext = {
    generation: 0,
    optionsId: 0,
    includeDirs: [],
    compileCommandsDir: null,
    options: { defaultProblem: { m, n, k, dtype: DEFAULT_SETTINGS.defaultDtype } },
    input: {
      gpus: resolveGpus(DEFAULT_SETTINGS.gpus).gpus,
      settings: DEFAULT_SETTINGS,
      predictor: model.ok ? model.predictor : null,
      modelError: model.ok ? null : model.error,
    },
  };
  let index = 0;
  const client = {
    received: [],
    notify(method: string, params: any) {
      const doc = params.textDocument;
      if (method === 'textDocument/didOpen') store.open(doc.uri, doc.languageId, doc.version, doc.text);
      if (method === 'textDocument/didChange') store.change(doc.uri, doc.version, params.contentChanges);
    },
    async request(_method: string, params: any) {
      const file = store.get(params.textDocument?.uri ?? params.uri)!;
      const i = index++;
      const started = performance.now();
      await store.analysis(file, context, (message) => console.error(message));
      const reports = store.reportsFor(file, context);
      const analysed = performance.now();
      if (reports) diagnosticsOf(reports);
      const done = performance.now();
      if (done - started > Number(process.env.SLOW_MS ?? 500) || process.env.VERBOSE)
        console.log(
          `${i} ${file.uri.slice(-30)} ${file.document.getText().length} chars: reports ${(analysed - started).toFixed(0)} ms, diagnostics ${(done - analysed).toFixed(0)} ms`,
        );
      return { jsonrpc: '2.0', id: i, result: null };
    },
  } as unknown as LspTestClient;
  const edits = Number(process.argv[2] ?? 2000);
  const result = await runRandomEdits(client, stressFiles(), edits, Number(process.argv[3] ?? 20261205));
  console.log(`done: ${result.edits} edits`);
  thread.dispose();
}
void main();
