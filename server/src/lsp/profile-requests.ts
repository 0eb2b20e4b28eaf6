// tilecast/predictProfiles (issue 10): the client sends the records it just measured and gets the
// prediction for each from the model the hovers use. Convert in, call report/profile-predictions, convert out.
import type { Connection } from 'vscode-languageserver/node';
import { PREDICT_PROFILES_REQUEST, type PredictProfilesResult } from '../ide/protocol';
import { predictProfiles } from '../report/profile-predictions';
import type { TilecastServer } from './server';

/** At most this many records per request (a sweep is tens); more is a client error, answered for the first ones. */
const MAX_RECORDS = 10_000;

export function registerProfileRequests(connection: Connection, server: TilecastServer): void {
  connection.onRequest(
    PREDICT_PROFILES_REQUEST,
    server.request('predictProfiles', (params: { records?: unknown }): PredictProfilesResult | null => {
      if (!Array.isArray(params?.records)) return null;
      const model = server.currentModel();
      return { predictions: predictProfiles(params.records.slice(0, MAX_RECORDS), model.predictor, model.error) };
    }),
  );
}
