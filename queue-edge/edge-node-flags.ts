/**
 * V8 flags every edge process runs with: the edge's scaling limit is memory per fan, and its live
 * heap is small (a few hundred bytes per fan), so a 2 MB young generation instead of V8's default
 * (semi-spaces growing to 16 MB) keeps RSS close to what the fans actually hold. The supervisor
 * passes them to its edge processes; the Kubernetes edge container runs `node` with them.
 * `npm run bench:edge` runs the edge with these (and the `ws` baseline with and without them).
 */
export const EDGE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/** `execArgv` plus the edge flags the operator did not set already (on the command line or in NODE_OPTIONS). */
export function withEdgeNodeFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((a) => a.split('=')[0]!.replace(/_/g, '-'));
  return [...execArgv, ...EDGE_NODE_FLAGS.filter((f) => !given.includes(f.split('=')[0]!))];
}
