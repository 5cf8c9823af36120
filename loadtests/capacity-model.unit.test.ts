import { describe, expect, it } from 'vitest';
import { defaultAssumptions, plan, type UnitCosts } from './capacity-model.js';

const costs: UnitCosts = { joinUs: 20, idleTickUs: 50, admitUs: 30, holdUs: 40, bytesPerFan: 200, bytesPerSeat: 500, bytesPerHold: 1000, edgeKbPerFan: 2 };

describe('capacity model', () => {
  it('sizes edges by the tighter of open files and memory, and Redis by CPU share', () => {
    const p = plan(costs, { fans: 1_000_000, seats: 100_000, admitsPerS: 2_000, holdsPerS: 2_000, joinWindowS: 100 });
    expect(p.fansPerEdge).toBe(defaultAssumptions.fansPerEdgeByFiles);
    expect(p.edgeProcesses).toBe(Math.ceil(1_000_000 / 19_000));
    // 10,000 joins/s × 20 µs + 53 edges × 50 µs + 2,000 admits × 30 µs = 0.2627 s/s
    expect(p.queueSlotCoreShare).toBeCloseTo(0.2 + (53 * 50) / 1e6 + 0.06, 6);
    expect(p.inventoryCoreShare).toBeCloseTo(0.08, 6);
    expect(p.inventoryMasters).toBe(1);
    expect(p.queueSlotMaxJoinsPerS).toBe(25_000);
    expect(p.firstWall).toMatch(/^the queue slot's CPU/);
  });

  it('adds inventory masters as holds grow, and names the slot wall when the queue is past it', () => {
    const p = plan({ ...costs, edgeKbPerFan: 100 }, { fans: 10_000_000, seats: 100_000, admitsPerS: 5_000, holdsPerS: 50_000, joinWindowS: 100 });
    expect(p.fansPerEdge).toBe(Math.floor(defaultAssumptions.edgeMemoryBudgetKb / 100));
    expect(p.inventoryMasters).toBe(4); // 2 cores of holds at half a core each
    expect(p.firstWall).toMatch(/split the sale/);
  });
});
