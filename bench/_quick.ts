import { loadNativeBackend } from '../src/backend/native.js';
import type { Backend } from '../src/backend/backend.js';
import { makeStep } from './kernel-step.js';
const b = loadNativeBackend();
const t = Number(process.argv[2] ?? 2);
b.setThreads(t);
const calls: [string, () => void][] = [];
const rec = new Proxy(b, { get(target, prop) { const v = (target as any)[prop]; if (typeof v !== 'function') return v; return (...args: unknown[]) => { const key = `${calls.length}:${String(prop)}`; calls.push([key, () => v.apply(target, args)]); return v.apply(target, args); }; } }) as Backend;
const step = makeStep(rec); step();
const res: [string, number][] = [];
for (const [k, f] of calls) { for (let i = 0; i < 5; i++) f(); const ts: number[] = []; for (let i = 0; i < 30; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } ts.sort((a, c) => a - c); res.push([k, ts[15]!]); }
let sum = 0; for (const [k, v] of res) { sum += v; if (v > 0.03) console.log(k.padEnd(30), v.toFixed(3)); }
console.log('sum of medians', sum.toFixed(3));
