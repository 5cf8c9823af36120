import { describe, expect, it } from 'vitest';
import { defaultAssumptions, plan, type OnSale, type UnitCosts } from './capacity-model.js';

// round numbers so every expectation below can be checked by hand
const costs: UnitCosts = {
  joinUs: 20, joinCalls: 1, tickUs: 50, tickCalls: 2, admitUs: 30, admitCalls: 2, holdUs: 40, holdCalls: 3,
  orderUs: 300, orderCalls: 100, orderJobsSlotUs: 200, workerUsPerOrder: 2000,
  bytesPerFan: 200, bytesPerSeat: 500, bytesPerHold: 1000, bytesPerOrder: 4000, edgeKbPerFan: 2,
};
const sale: OnSale = { fans: 1_000_000, seats: 100_000, admitsPerS: 2_000, holdsPerS: 2_000, ordersPerS: 2_000, joinWindowS: 100 };

describe('capacity model', () => {
  it('sizes edges by the tighter of open files and memory, rounding up', () => {
    const p = plan(costs, sale);
    expect(p.fansPerEdge).toBe(19_000); // 1 GiB ÷ 2 KB = 524,288 fans would fit: the files limit binds
    expect(p.edgeProcesses).toBe(53); // 1,000,000 ÷ 19,000 = 52.6
    expect(p.edgePods).toBe(27); // 53 ÷ 2
    expect(plan(costs, { ...sale, fans: 38_000 }).edgeProcesses).toBe(2);
    expect(plan(costs, { ...sale, fans: 38_001 }).edgeProcesses).toBe(3);
    expect(plan({ ...costs, edgeKbPerFan: 100 }, sale).fansPerEdge).toBe(10_485); // 1,048,576 KB ÷ 100 KB
  });

  it('loads the queue slot with joins, ticks and admissions, and states its ceilings', () => {
    const p = plan(costs, sale);
    // 10,000 joins/s × 20 µs + 53 edges × 50 µs + 2,000 admits × 30 µs = 262,650 µs/s
    expect(p.joinsPerS).toBe(10_000);
    expect(p.queueSlotCoreShare).toBeCloseTo(0.26265, 9);
    expect(p.tickCoreShare).toBeCloseTo(0.00265, 9);
    expect(p.queueSlotMemoryBytes).toBe(200_000_000);
    expect(p.queueSlotMaxJoinsPerS).toBe(25_000); // 500,000 µs ÷ 20 µs
    expect(p.queueSlotMaxFans).toBe(42_949_672); // 8 GiB ÷ 200 B
    // (500,000 − 60,000) ÷ (20/100 + 50/19,000) = 2,171,428.57
    expect(p.queueSlotMaxFansPerWindow).toBe(2_171_428);
    expect(p.queueOpsPerS).toBe(10_000 + 53 * 2 + 2_000 * 2);
    expect(p.subQueues).toBe(1);
  });

  it('puts the order on the BullMQ slot and the shards, and workers by their CPU', () => {
    const p = plan(costs, sale);
    expect(p.jobsSlotCoreShare).toBeCloseTo(0.4, 9); // 2,000 orders/s × 200 µs
    expect(p.jobsSlotMemoryBytes).toBe(50_000 * 4000); // a sold-out sale keeps 100,000 ÷ 2 completed jobs
    expect(p.jobsQueues).toBe(1);
    // 2,000 holds × 40 µs + 2,000 orders × (300 − 200) µs
    expect(p.inventoryCoreShare).toBeCloseTo(0.28, 9);
    expect(p.inventoryMemoryBytes).toBe(100_000 * 500 + 2_000 * 300 * 1000);
    expect(p.inventoryMasters).toBe(1);
    expect(p.workers).toBe(6); // 4 cores of worker CPU ÷ 0.7 = 5.7
    expect(p.redisMasters).toBe(3);
    expect(p.redisOpsPerS).toBe(14_106 + 2_000 * 3 + 2_000 * 100);
    // BullMQ's slot at 0.4 of 0.5 is the nearest wall, ahead of the queue slot (0.263 of 0.5)
    expect(p.firstWall.name).toBe("the BullMQ slot's CPU");
    expect(p.firstWall.load).toBeCloseTo(0.8, 9);
    expect(p.walls.map((w) => w.name)[1]).toBe("the queue slot's CPU");
  });

  it('splits a sale past the slot into sub-queues; ticks do not divide', () => {
    const big = plan(costs, { ...sale, fans: 10_000_000 });
    expect(big.edgeProcesses).toBe(527);
    // joins 100,000/s × 20 + admits 60,000 = 2.06 cores to divide into the 0.5 − 0.02635 a slot has left
    expect(big.subQueues).toBe(5); // 2.06 ÷ 0.47365 = 4.35
    expect(big.firstWall.name).toBe("the queue slot's CPU");
    expect(big.firstWall.load).toBeGreaterThan(1);
    // memory alone: 10M fans × 2,000 B = 18.6 GiB over 8 GiB slots, CPU light (a long window)
    const heavy = plan({ ...costs, bytesPerFan: 2000 }, { ...sale, fans: 10_000_000, joinWindowS: 10_000 });
    expect(heavy.subQueues).toBe(3);
    // ticks take room on every sub-queue: 527 × 500 µs = 0.2635 of a core each, so 2.06 cores go into 0.2365 slices
    expect(plan({ ...costs, tickUs: 500 }, { ...sale, fans: 10_000_000 }).subQueues).toBe(9); // 8.71; 5 if ticks divided
    // ticks alone past the budget: 527 edges × 1,000 µs = 0.527 of a core; no split helps
    expect(plan({ ...costs, tickUs: 1000 }, { ...sale, fans: 10_000_000 }).subQueues).toBe(Number.POSITIVE_INFINITY);
  });

  it('adds inventory masters, commit queues and workers as holds and orders grow', () => {
    const p = plan(costs, { ...sale, holdsPerS: 10_000, ordersPerS: 5_000 });
    // 10,000 × 40 + 5,000 × 100 = 0.9 cores ÷ 0.5
    expect(p.inventoryMasters).toBe(2);
    expect(p.jobsQueues).toBe(2); // 5,000 × 200 µs = 1 core ÷ 0.5
    expect(p.workers).toBe(15); // 10 cores ÷ 0.7 = 14.3
    expect(p.redisMasters).toBe(2 + 1 + 2);
    expect(defaultAssumptions.redisCoreBudget).toBe(0.5);
  });
});
