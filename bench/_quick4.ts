import { loadNativeBackend } from '../src/backend/native.js';
const b = loadNativeBackend();
const x = new Float32Array(64*1600).fill(0.1), w = new Float32Array(1600*128).fill(0.01), bias = new Float32Array(128), y = new Float32Array(64*128);
const a = { batch: 64, inUnits: 1600, outUnits: 128, activation: 'relu' } as const;
const c2 = { batch: 64, inHeight: 13, inWidth: 13, inChannels: 32, outChannels: 64, kernelHeight: 3, kernelWidth: 3, strides: [1,1], dilations: [1,1], padding: 'valid', groups: 1, activation: 'relu' } as const;
const cx = new Float32Array(64*13*13*32).fill(0.1), cw = new Float32Array(9*32*64).fill(0.01), cb = new Float32Array(64), cy = new Float32Array(64*11*11*64);
for (const t of (process.argv[2] ?? "1,2").split(",").map(Number)) {
  b.setThreads(t);
  for (let i = 0; i < 50; i++) b.denseForward(y, x, w, bias, a);
  let t0 = performance.now(); for (let i = 0; i < 500; i++) b.denseForward(y, x, w, bias, a); console.log(t, 'dense', ((performance.now()-t0)/500).toFixed(3));
  for (let i = 0; i < 20; i++) b.conv2dForward(cy, cx, cw, cb, c2 as any);
  t0 = performance.now(); for (let i = 0; i < 200; i++) b.conv2dForward(cy, cx, cw, cb, c2 as any); console.log(t, 'conv2', ((performance.now()-t0)/200).toFixed(3));
}
