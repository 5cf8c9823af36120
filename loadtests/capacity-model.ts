/**
 * The capacity model of `npm run capacity` (pure; tested on its own): from measured per-operation
 * costs and an on-sale's shape, how many edge pods, Redis masters and workers it needs, and where
 * the first wall is. Every input that is an assumption rather than a measurement is named here.
 *
 * Two slots cannot be spread over masters: a sale's queue (`usher:q:{<sale>}:…`) and the BullMQ
 * queues (`{usher:jobs}`). Each runs on one master's one thread, so each is a wall; the inventory
 * is pre-sharded and scales by adding masters.
 */
export interface UnitCosts {
  /** Redis CPU µs and commands: one join, one admission tick with nothing to admit, one admitted fan (tick share + take), one best-available hold */
  joinUs: number;
  joinCalls: number;
  tickUs: number;
  tickCalls: number;
  admitUs: number;
  admitCalls: number;
  holdUs: number;
  holdCalls: number;
  /** one committed order, all masters (claim, finalize, capture, pass revoke, BullMQ's commands) */
  orderUs: number;
  orderCalls: number;
  /** of that, the master holding the BullMQ slot (an upper bound of BullMQ's part: it may hold inventory shards too) */
  orderJobsSlotUs: number;
  /** worker process CPU per order, µs */
  workerUsPerOrder: number;
  /** Redis bytes: per waiting fan, per seat published, per live hold, per order kept (completed jobs stay 72 h) */
  bytesPerFan: number;
  bytesPerSeat: number;
  bytesPerHold: number;
  bytesPerOrder: number;
  /** edge RSS per connected fan, KB */
  edgeKbPerFan: number;
}

export interface OnSale {
  fans: number;
  seats: number;
  admitsPerS: number;
  holdsPerS: number;
  /** orders committed per second (at most one per hold) */
  ordersPerS: number;
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
  edgeProcessesPerPod: number;
  /** admission ticks per second per edge process per sale (1000 / EDGE_TICK_MS) */
  ticksPerEdgePerS: number;
  /** how long a hold lives on average, s (what the live-hold memory multiplies) */
  holdLifeS: number;
  /** seats per order: a sold-out sale leaves seats ÷ this many completed commit jobs in the jobs slot */
  seatsPerOrder: number;
  /** share of one core a worker process may use */
  workerCoreBudget: number;
}

export const defaultAssumptions: Assumptions = {
  redisCoreBudget: 0.5,
  redisMemoryBudget: 8 * 1024 ** 3,
  fansPerEdgeByFiles: 19_000,
  edgeMemoryBudgetKb: 1024 * 1024,
  edgeProcessesPerPod: 2,
  ticksPerEdgePerS: 1,
  holdLifeS: 300,
  seatsPerOrder: 2,
  workerCoreBudget: 0.7,
};

export interface Wall {
  name: string;
  /** share of its budget in use; past 1 the sale does not fit */
  load: number;
}

export interface Plan {
  fansPerEdge: number;
  edgeProcesses: number;
  edgePods: number;
  joinsPerS: number;
  /** one sale's queue slot: its master's share of a core and its memory, unsplit */
  queueSlotCoreShare: number;
  queueSlotMemoryBytes: number;
  queueOpsPerS: number;
  /** the share of a core the edges' ticks alone put on every sub-queue's slot (a split does not divide it) */
  tickCoreShare: number;
  /** the slot's ceilings with nothing else on its master: joins/s, fans held, and fans per join window (ticks and admits counted) */
  queueSlotMaxJoinsPerS: number;
  queueSlotMaxFans: number;
  queueSlotMaxFansPerWindow: number;
  /** sub-queues the sale needs (1 = no split; Infinity = the ticks alone fill a slot: thin them first) */
  subQueues: number;
  inventoryCoreShare: number;
  inventoryMemoryBytes: number;
  inventoryMasters: number;
  jobsSlotCoreShare: number;
  jobsSlotMemoryBytes: number;
  /** BullMQ prefixes (commit queues) needed, each its own slot */
  jobsQueues: number;
  workers: number;
  /** every hot slot on a master of its own, the inventory over the rest (small sales can share) */
  redisMasters: number;
  redisOpsPerS: number;
  walls: Wall[];
  firstWall: Wall;
}

const atLeastOne = (x: number): number => Math.max(1, Math.ceil(x));

export function plan(c: UnitCosts, s: OnSale, a: Assumptions = defaultAssumptions): Plan {
  const fansPerEdge = Math.floor(Math.min(a.fansPerEdgeByFiles, a.edgeMemoryBudgetKb / c.edgeKbPerFan));
  const edgeProcesses = Math.ceil(s.fans / fansPerEdge);
  const joinsPerS = s.fans / s.joinWindowS;
  const tickUsPerS = edgeProcesses * a.ticksPerEdgePerS * c.tickUs;
  // joins and admissions divide over sub-queues; every edge ticks every sub-queue, so ticks do not
  const divisibleUsPerS = joinsPerS * c.joinUs + s.admitsPerS * c.admitUs;
  const queueSlotCoreShare = (divisibleUsPerS + tickUsPerS) / 1e6;
  const tickCoreShare = tickUsPerS / 1e6;
  const queueSlotMemoryBytes = s.fans * c.bytesPerFan;
  const room = a.redisCoreBudget - tickCoreShare;
  const subQueues = Math.max(
    room > 0 ? atLeastOne(divisibleUsPerS / 1e6 / room) : Number.POSITIVE_INFINITY,
    atLeastOne(queueSlotMemoryBytes / a.redisMemoryBudget),
  );
  const budgetUs = a.redisCoreBudget * 1e6;
  // fans per window one slot takes: F/window × join + ⌈F/fansPerEdge⌉ × tick + admits ≤ budget (ticks taken per fan)
  const queueSlotMaxFansPerWindow = Math.max(0, Math.floor((budgetUs - s.admitsPerS * c.admitUs) / (c.joinUs / s.joinWindowS + (a.ticksPerEdgePerS * c.tickUs) / fansPerEdge)));

  const ordersKept = Math.min(s.seats / a.seatsPerOrder, s.ordersPerS * 72 * 3600);
  const jobsSlotCoreShare = (s.ordersPerS * c.orderJobsSlotUs) / 1e6;
  const jobsSlotMemoryBytes = ordersKept * c.bytesPerOrder;
  const jobsQueues = Math.max(atLeastOne(jobsSlotCoreShare / a.redisCoreBudget), atLeastOne(jobsSlotMemoryBytes / a.redisMemoryBudget));

  const inventoryCoreShare = (s.holdsPerS * c.holdUs + s.ordersPerS * (c.orderUs - c.orderJobsSlotUs)) / 1e6;
  const inventoryMemoryBytes = s.seats * c.bytesPerSeat + s.holdsPerS * a.holdLifeS * c.bytesPerHold;
  const inventoryMasters = Math.max(atLeastOne(inventoryCoreShare / a.redisCoreBudget), atLeastOne(inventoryMemoryBytes / a.redisMemoryBudget));

  const queueOpsPerS = joinsPerS * c.joinCalls + edgeProcesses * a.ticksPerEdgePerS * c.tickCalls + s.admitsPerS * c.admitCalls;
  const walls: Wall[] = [
    { name: "the queue slot's CPU", load: queueSlotCoreShare / a.redisCoreBudget },
    { name: "the queue slot's memory", load: queueSlotMemoryBytes / a.redisMemoryBudget },
    { name: "the BullMQ slot's CPU", load: jobsSlotCoreShare / a.redisCoreBudget },
    { name: "the BullMQ slot's memory", load: jobsSlotMemoryBytes / a.redisMemoryBudget },
  ].sort((x, y) => y.load - x.load);
  return {
    fansPerEdge,
    edgeProcesses,
    edgePods: Math.ceil(edgeProcesses / a.edgeProcessesPerPod),
    joinsPerS,
    queueSlotCoreShare,
    queueSlotMemoryBytes,
    queueOpsPerS,
    tickCoreShare,
    queueSlotMaxJoinsPerS: Math.floor(budgetUs / c.joinUs),
    queueSlotMaxFans: Math.floor(a.redisMemoryBudget / c.bytesPerFan),
    queueSlotMaxFansPerWindow,
    subQueues,
    inventoryCoreShare,
    inventoryMemoryBytes,
    inventoryMasters,
    jobsSlotCoreShare,
    jobsSlotMemoryBytes,
    jobsQueues,
    workers: atLeastOne((s.ordersPerS * c.workerUsPerOrder) / 1e6 / a.workerCoreBudget),
    redisMasters: inventoryMasters + subQueues + jobsQueues,
    redisOpsPerS: queueOpsPerS + s.holdsPerS * c.holdCalls + s.ordersPerS * c.orderCalls,
    walls,
    firstWall: walls[0]!,
  };
}
