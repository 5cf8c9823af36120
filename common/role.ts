import type { AppContext } from './app-context.js';

/** One role (edge, api, worker) running in this process. */
export interface RunningRole {
  name: string;
  /** Human-facing addresses to print at start-up. */
  urls: Record<string, string>;
  /** Stop accepting, drain what is in flight, release resources: bounded by the caller. */
  stop(): Promise<void>;
}

export type RoleStarter = (ctx: AppContext) => Promise<RunningRole>;
