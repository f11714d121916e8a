// `convkit tune-worker`: takes `convkit tune --queue` trials from Redis until interrupted (Ctrl-C / SIGTERM finish
// the current trial first; a second signal exits at once, and the queue gives that trial to another worker).

import { startTuneWorker } from '../tuning/queue-worker.js';
import type { GlobalOptions } from './common.js';

export interface TuneWorkerCommandOptions extends GlobalOptions {
  queue: string;
  dataDir?: string;
  lockDuration: number;
}

export async function tuneWorkerCommand(options: TuneWorkerCommandOptions): Promise<void> {
  const worker = await startTuneWorker({
    queue: options.queue,
    lockDuration: options.lockDuration,
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
  });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(130);
      stopping = true;
      console.log(`${signal}: finishing the current trial, then stopping (again to stop now)`);
      void worker.close().then(resolve);
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
