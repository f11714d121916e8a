// Reads files convkit wrote with an independent tool: /usr/bin/python3 with h5py (and zipfile for .keras
// archives). Returns every dataset's shape, dtype and values (float32 values come back exactly, as Python floats),
// plus, for a .keras archive, its entry names, whether every CRC checks out, and config.json / metadata.json parsed.

import { execFileSync } from 'node:child_process';
import { PYTHON } from './requirements.js';

export interface H5Dataset {
  shape: number[];
  dtype: string;
  values: number[];
}

export interface H5pyView {
  datasets: Record<string, H5Dataset>;
  /** Only for a .keras archive. */
  entries?: string[];
  crcOk?: boolean;
  config?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

const SCRIPT = `
import io, json, sys, zipfile
import h5py, numpy as np
path, kind = sys.argv[1], sys.argv[2]
out = {}
if kind == 'keras':
    z = zipfile.ZipFile(path)
    out['entries'] = sorted(z.namelist())
    out['crcOk'] = z.testzip() is None
    out['config'] = json.loads(z.read('config.json'))
    out['metadata'] = json.loads(z.read('metadata.json'))
    f = h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r')
else:
    f = h5py.File(path, 'r')
datasets = {}
def visit(name, obj):
    if isinstance(obj, h5py.Dataset):
        a = np.asarray(obj[()])
        datasets[name] = {'shape': list(a.shape), 'dtype': str(a.dtype), 'values': a.ravel().tolist()}
f.visititems(visit)
out['datasets'] = datasets
print(json.dumps(out))
`;

/** What h5py sees in a weights file (`kind` 'h5') or in a whole .keras archive (`kind` 'keras'). */
export function readWithH5py(path: string, kind: 'h5' | 'keras'): H5pyView {
  const stdout = execFileSync(PYTHON, ['-c', SCRIPT, path, kind], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(stdout) as H5pyView;
}
