/** Small helpers of the fan processes, apart from the process code so tests can import them. */

/**
 * How the edge encodes a position broadcast (queue-edge/edge-protocol.ts `encode`: `v` first, then
 * `type`). Fans recognise the commonest message by this prefix instead of parsing it.
 */
export const POSITION_PREFIX = '{"v":1,"type":"position"';

