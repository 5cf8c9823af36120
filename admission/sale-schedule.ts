/**
 * A sale's timetable of live changes (rate, max shoppers, mode, pause/resume, message), each
 * applied by the first admission tick at or after its time, in the same script as the tick
 * (queue-edge/lua/admit-13.lua), so every edge sees it at once and it happens exactly once. Each
 * entry carries the settings fields it writes, computed here by the same code as a live control
 * (sale-controls.ts), so the script only writes them.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { RedisClient } from '../common/redis-connection.js';
import { Problem } from '../common/problem.js';
import { queueKeys } from './queue-keys.js';
import { saleControlSchema, settingsFieldsOf, type SaleControl } from './sale-controls.js';

/** Close is left out: closing a sale also ends it in PostgreSQL and the inventory (the admin route does). */
const schedulable = saleControlSchema.refine((c) => c.action !== 'close', { message: 'close cannot be scheduled; close the sale with the controls route' });

export const scheduleChangeSchema = z.strictObject({
  add: z.array(z.strictObject({ at: z.iso.datetime({ offset: true }), control: schedulable })).max(100).optional(),
  remove: z.array(z.uuid()).max(100).optional(),
});
export type ScheduleChange = z.input<typeof scheduleChangeSchema>;

const scheduledControlSchema = z.object({
  id: z.uuid(), at: z.number().describe('ms'), control: saleControlSchema, fields: z.record(z.string(), z.string()).describe('the settings fields it writes'),
});
export type ScheduledControl = z.infer<typeof scheduledControlSchema> & { control: SaleControl };

export const saleScheduleSchema = z.object({
  pending: z.array(scheduledControlSchema),
  /** the latest applied first */
  applied: z.array(scheduledControlSchema.extend({ appliedAt: z.number() })),
});
export type SaleSchedule = z.infer<typeof saleScheduleSchema>;

const MAX_PENDING = 200;

export async function changeSaleSchedule(redis: RedisClient, saleId: string, input: ScheduleChange): Promise<SaleSchedule> {
  const change = scheduleChangeSchema.parse(input);
  const k = queueKeys(saleId);
  if (change.remove?.length) {
    const ids = new Set(change.remove);
    const doomed = (await redis.zrange(k.schedule, 0, -1)).filter((m) => ids.has((JSON.parse(m) as ScheduledControl).id));
    if (doomed.length) await redis.zrem(k.schedule, ...doomed);
  }
  if (change.add?.length) {
    if ((await redis.zcard(k.schedule)) + change.add.length > MAX_PENDING) throw new Problem(409, 'schedule_full', `at most ${MAX_PENDING} scheduled changes per sale`);
    const m = redis.multi();
    for (const { at, control } of change.add) {
      const atMs = Date.parse(at);
      const entry: ScheduledControl = { id: randomUUID(), at: atMs, control, fields: settingsFieldsOf(control, atMs) };
      m.zadd(k.schedule, atMs, JSON.stringify(entry));
    }
    await m.exec();
  }
  return readSaleSchedule(redis, saleId);
}

export async function readSaleSchedule(redis: RedisClient, saleId: string): Promise<SaleSchedule> {
  const k = queueKeys(saleId);
  const [pending, applied] = await Promise.all([redis.zrange(k.schedule, 0, -1), redis.lrange(k.scheduleLog, 0, 99)]);
  return {
    pending: pending.map((m) => JSON.parse(m) as ScheduledControl),
    applied: applied.map((m) => JSON.parse(m) as ScheduledControl & { appliedAt: number }),
  };
}
