/** Role settings of the drills' stacks beyond the load test's. */
export const DRILL_ROLE_ENV: Record<string, string> = {
  LOG_LEVEL: 'info',
};
