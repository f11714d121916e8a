// `convkit diagnose history.csv`: reads CSVLogger's file and prints the diagnosis (verdict first, then evidence,
// limits and remedies); --json prints it as one JSON object instead.

import { diagnose, formatDiagnosis } from '../evaluation/diagnose.js';
import { readHistoryCsv } from '../evaluation/history-csv.js';

export interface DiagnoseCommandOptions {
  json?: boolean;
}

export async function diagnoseCommand(path: string, options: DiagnoseCommandOptions): Promise<void> {
  const { history, notes } = readHistoryCsv(path);
  const result = diagnose(history);
  if (options.json) {
    console.log(JSON.stringify({ ...result, notes }));
    return;
  }
  console.log(formatDiagnosis(result));
  for (const note of notes) console.log(`Note: ${note}`);
}
