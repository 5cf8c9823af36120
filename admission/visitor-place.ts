/**
 * A visitor's place in one sale's queue, and the legend of how the queue scripts store it.
 *
 * The sale's `visitors` hash (admission/queue-keys.ts) holds one JSON value per visitor. A sale
 * holds hundreds of thousands of them, so the stored form is terse: one-letter keys and states.
 * `storedStates` and `storedFields` below are the legend; `lua/includes/visitorPlace.lua` has the
 * same two tables (visitor-place.test.ts keeps them equal) and is the only Lua that uses the
 * letters: scripts and TypeScript speak the long names, and the scripts answer with them.
 *
 * | state      | stored | fields (stored key)                               |
 * |------------|--------|---------------------------------------------------|
 * | `prequeue` | `p`    | —: the ticket comes with the opening shuffle       |
 * | `waiting`  | `w`    | `ticket` (`t`)                                     |
 * | `offer`    | `o`    | `ticket` (`t`), offer `deadline` ms (`d`)          |
 * | `admitted` | `a`    | pass `jti` (`j`), lease end `exp` ms (`e`), the signed `pass` (`p`) |
 *
 * `done` (the visitor's lease is over) is never stored: the scripts answer it for an `admitted`
 * place whose lease has left the `active` set.
 */
import { z } from 'zod';

export const storedStates = { prequeue: 'p', waiting: 'w', offer: 'o', admitted: 'a' } as const;
export const storedFields = { state: 's', ticket: 't', deadline: 'd', pass: 'p', exp: 'e', jti: 'j' } as const;

export type StoredState = keyof typeof storedStates;

export const placeSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('prequeue') }),
  z.object({ state: z.literal('waiting'), ticket: z.number(), rank: z.number().optional() }),
  z.object({ state: z.literal('offer'), ticket: z.number(), deadline: z.number() }),
  z.object({ state: z.literal('admitted'), pass: z.string(), exp: z.number(), jti: z.string() }),
  z.object({ state: z.literal('done') }),
]);
export type Place = z.infer<typeof placeSchema>;

const stateOfLetter = new Map<string, StoredState>(Object.entries(storedStates).map(([name, letter]) => [letter, name as StoredState]));
const fieldEntries = Object.entries(storedFields) as [keyof typeof storedFields, string][];

/** Reads a `visitors` hash value as a Place; null when it is not one (a bug or a foreign write). */
export function storedPlace(raw: string): Place | null {
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return null;
  }
  const place: Record<string, unknown> = {};
  for (const [name, key] of fieldEntries) if (stored[key] !== undefined) place[name] = stored[key];
  place.state = stateOfLetter.get(String(stored[storedFields.state]));
  const parsed = placeSchema.safeParse(place);
  return parsed.success ? parsed.data : null;
}

/** The stored form of a place (what the scripts write; tests seed queues with it). */
export function storedPlaceJson(place: Exclude<Place, { state: 'done' }>): string {
  const stored: Record<string, unknown> = {};
  for (const [name, key] of fieldEntries) {
    const value = (place as Record<string, unknown>)[name];
    if (value !== undefined) stored[key] = value;
  }
  stored[storedFields.state] = storedStates[place.state];
  return JSON.stringify(stored);
}
