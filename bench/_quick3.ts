import { loadNativeBackend } from '../src/backend/native.js';
import { makeStep } from './kernel-step.js';
const b = loadNativeBackend(); b.setThreads(2);
const s = makeStep(b); for (let i = 0; i < 3; i++) s();
