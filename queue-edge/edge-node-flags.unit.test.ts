import { describe, it, expect } from 'vitest';
import { EDGE_NODE_FLAGS, withEdgeNodeFlags } from './edge-node-flags.js';

describe('the edge processes’ V8 flags', () => {
  it('are added to what the supervisor runs with', () => {
    expect(withEdgeNodeFlags(['--import', 'tsx'])).toEqual(['--import', 'tsx', ...EDGE_NODE_FLAGS]);
  });

  it('give way to the operator’s own setting, on the command line or in NODE_OPTIONS', () => {
    expect(withEdgeNodeFlags(['--max-semi-space-size=8'])).toEqual(['--max-semi-space-size=8']);
    expect(withEdgeNodeFlags(['--max_semi_space_size=8'])).toEqual(['--max_semi_space_size=8']);
    expect(withEdgeNodeFlags([], '--max-old-space-size=512 --max-semi-space-size=4')).toEqual([]);
  });
});
