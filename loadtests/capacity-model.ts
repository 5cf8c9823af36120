/**
 * The capacity model of `npm run capacity` (pure; tested on its own): from measured per-operation
 * costs and an on-sale's shape, how many Redis masters and edge processes it needs, and where the
 * first wall is. Every input that is an assumption rather than a measurement is named here.
 */
export interface UnitCosts {
  /** Redis CPU µs: one join, one admission tick with nothing to admit, one admitted fan (tick share + take), one best-available hold */
  joinUs: number;
  idleTickUs: number;
  admitUs: number;
  holdUs: number;
  /** Redis bytes: per waiting fan, per seat published, per live hold */
  bytesPerFan: number;
  bytesPerSeat: number;
  bytesPerHold: number;
  /** edge RSS per connected fan, KB */
  edgeKbPerFan: number;
}

export interface OnSale {
  fans: number;
  seats: number;
  admitsPerS: number;
  /** holds per second (one per admitted fan unless said otherwise) */
  holdsPerS: number;
  /** seconds over which the fans arrive (joins/s = fans / joinWindowS) */
  joinWindowS: number;
}

export interface Assumptions {
  /** share of one core a Redis master may use before it counts as full (headroom for bursts, AOF, replication) */
  redisCoreBudget: number;
  /** memory a Redis master may hold, bytes */
  redisMemoryBudget: number;
  /** fans one edge process may hold: the open-files limit with a margin */
  fansPerEdgeByFiles: number;
  /** memory budget of one edge process for fan state, KB */
  edgeMemoryBudgetKb: number;
  /** admission ticks per second per edge process (1000 / EDGE_TICK_MS) */
  ticksPerEdgePerS: number;
  /** how long a hold lives on average, s (what the live-hold memory multiplies) */
  holdLifeS: number;
}

export const defaultAssumptions: Assumptions = {
  redisCoreBudget: 0.5,
  redisMemoryBudget: 8 * 1024 ** 3,
  fansPerEdgeByFiles: 19_000,
  edgeMemoryBudgetKb: 1024 * 1024,
  ticksPerEdgePerS: 1,
  holdLifeS: 300,
};

export interface Plan {
  edgeProcesses: number;
  fansPerEdge: number;
  joinsPerS: number;
  /** one sale's queue is one slot: its master's share of a core while joins, ticks and admits run */
  queueSlotCoreShare: number;
  queueSlotMemoryBytes: number;
  /** the slot's ceilings with nothing else on its master */
  queueSlotMaxJoinsPerS: number;
  queueSlotMaxFans: number;
  inventoryCoreShare: number;
  inventoryMemoryBytes: number;
  inventoryMasters: number;
  redisMasters: number;
  firstWall: string;
}

export function plan(c: UnitCosts, s: OnSale, a: Assumptions = defaultAssumptions): Plan {
  const fansPerEdge = Math.floor(Math.min(a.fansPerEdgeByFiles, a.edgeMemoryBudgetKb / c.edgeKbPerFan));
  const edgeProcesses = Math.ceil(s.fans / fansPerEdge);
  const joinsPerS = s.fans / s.joinWindowS;
  const queueUsPerS = joinsPerS * c.joinUs + edgeProcesses * a.ticksPerEdgePerS * c.idleTickUs + s.admitsPerS * c.admitUs;
  const queueSlotCoreShare = queueUsPerS / 1e6;
  const queueSlotMemoryBytes = s.fans * c.bytesPerFan;
  const inventoryCoreShare = (s.holdsPerS * c.holdUs) / 1e6;
  const inventoryMemoryBytes = s.seats * c.bytesPerSeat + s.holdsPerS * a.holdLifeS * c.bytesPerHold;
  const inventoryMasters = Math.max(1, Math.ceil(Math.max(inventoryCoreShare / a.redisCoreBudget, inventoryMemoryBytes / a.redisMemoryBudget)));
  // the queue's slot gets a master of its own once it needs more than what is left beside the inventory
  const queueFits = queueSlotCoreShare <= a.redisCoreBudget && queueSlotMemoryBytes <= a.redisMemoryBudget;
  const redisMasters = inventoryMasters + 1;
  const walls = [
    { name: `the queue slot's CPU (${(queueSlotCoreShare * 100).toFixed(0)}% of one core)`, load: queueSlotCoreShare / a.redisCoreBudget },
    { name: `the queue slot's memory (${(queueSlotMemoryBytes / 1024 ** 3).toFixed(2)} GiB)`, load: queueSlotMemoryBytes / a.redisMemoryBudget },
    { name: `inventory CPU per master (${((inventoryCoreShare / inventoryMasters) * 100).toFixed(0)}% of a core)`, load: inventoryCoreShare / inventoryMasters / a.redisCoreBudget },
  ].sort((x, y) => y.load - x.load);
  return {
    edgeProcesses,
    fansPerEdge,
    joinsPerS,
    queueSlotCoreShare,
    queueSlotMemoryBytes,
    queueSlotMaxJoinsPerS: Math.floor((a.redisCoreBudget * 1e6) / c.joinUs),
    queueSlotMaxFans: Math.floor(a.redisMemoryBudget / c.bytesPerFan),
    inventoryCoreShare,
    inventoryMemoryBytes,
    inventoryMasters,
    redisMasters,
    firstWall: `${walls[0]!.name}: ${(walls[0]!.load * 100).toFixed(0)}% of its budget${queueFits ? '' : ' — past it: split the sale (below)'}`,
  };
}
