// `convkit train --dashboard [--port N]`: starts the live training page before the data loads (a taken port fails
// at once), and after training keeps it up until Ctrl-C or SIGTERM, so the curves and the diagnosis can be read.

import { TrainingDashboard } from '../serve/dashboard.js';

export interface DashboardFlags {
  dashboard?: boolean;
  port?: number;
}

/** The dashboard callback when --dashboard is given, else null. */
export async function dashboardFor(flags: DashboardFlags, title: string): Promise<TrainingDashboard | null> {
  if (!flags.dashboard) return null;
  const dashboard = await TrainingDashboard.start({ port: flags.port ?? 6006, title });
  console.log(`Dashboard: ${dashboard.url}/`);
  return dashboard;
}

/** After training: keeps serving the finished dashboard until Ctrl-C or SIGTERM, then closes it. */
export async function holdDashboard(dashboard: TrainingDashboard | null): Promise<void> {
  if (!dashboard) return;
  // The handlers go in before the line is printed: a SIGTERM sent on reading it must not meet the default action.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  console.log(`Training finished; the dashboard stays at ${dashboard.url}/ until Ctrl-C (or SIGTERM).`);
  await stopped;
  await dashboard.close();
}
