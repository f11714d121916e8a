import { createRequire } from 'node:module';
import { createRawNativeBackend, nativeAddonPath, loadNativeBackend } from '../src/backend/native.js';
import { makeStep, timeSteps } from './kernel-step.js';
const addon = createRequire(import.meta.url)(nativeAddonPath());
const raw = createRawNativeBackend(addon);
for (const t of [1, 2]) { raw.setThreads(t); console.log('raw', t, timeSteps(makeStep(raw), 20, 100).toFixed(3)); }
const v = loadNativeBackend();
for (const t of [1, 2]) { v.setThreads(t); console.log('validated', t, timeSteps(makeStep(v), 20, 100).toFixed(3)); }
const relu = { kind: 'relu' } as const;
const a = new Float32Array(64*26*26*32);
for (const [name, b] of [['raw', raw], ['val', v]] as const) { b.setThreads(2); const t0 = performance.now(); for (let i = 0; i < 100; i++) b.activationBackward(a, a, a, a, relu); console.log(name, 'act', ((performance.now() - t0) / 100).toFixed(3)); }
