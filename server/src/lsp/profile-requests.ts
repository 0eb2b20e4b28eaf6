// tilecast/predictProfiles (issue 10): the client sends the records it just measured (and the point it
// profiled) and gets the prediction for each from the model the hovers use. A record of the launch at
// the point is predicted through that launch's report (the hover's number, ide/measured.ts); any other
// through its own fields (report/profile-predictions.ts). Convert in, call the core, convert out.
// tilecast/reloadModel: the workspace's retrained model changed; the server loads the one to use.
import type { Connection } from 'vscode-languageserver/node';
import { validateProfileRecord } from '../data/profile-record';
import { predictRecordAt } from '../ide/measured';
import { PREDICT_PROFILES_REQUEST, RELOAD_MODEL_REQUEST, type DocumentPoint, type PredictProfilesResult } from '../ide/protocol';
import { predictProfiles } from '../report/profile-predictions';
import type { TilecastServer } from './server';

/** At most this many records per request (a sweep is tens); more is a client error, answered for the first ones. */
const MAX_RECORDS = 10_000;

export function registerProfileRequests(connection: Connection, server: TilecastServer): void {
  // After Retrain or Revert (the extension asks); a watched .tilecast/models file that changes reloads it too (main.ts).
  connection.onRequest(
    RELOAD_MODEL_REQUEST,
    server.request('reloadModel', () => server.reloadModel()),
  );
  connection.onRequest(
    PREDICT_PROFILES_REQUEST,
    server.request('predictProfiles', (params: { records?: unknown; point?: DocumentPoint }): PredictProfilesResult | null => {
      if (!Array.isArray(params?.records)) return null;
      const records = params.records.slice(0, MAX_RECORDS);
      const model = server.currentModel();
      const plain = predictProfiles(records, model.predictor, model.error);
      const point = params.point;
      const snapshot = point && typeof point.position?.line === 'number' && typeof point.position.character === 'number' ? server.snapshot(point.uri) : null;
      if (!snapshot || !point) return { predictions: plain };
      const offset = snapshot.file.document.offsetAt(point.position);
      return {
        predictions: records.map((value, i) => {
          const checked = validateProfileRecord(value);
          return (checked.ok && predictRecordAt(snapshot.reports, offset, checked.value)) || plain[i];
        }),
      };
    }),
  );
}
