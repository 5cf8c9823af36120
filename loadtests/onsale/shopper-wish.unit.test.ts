/** The fan's first wish follows the venue: sections are chosen in proportion to their places. */
import { describe, expect, it } from 'vitest';
import { wish } from './shopper.js';
import type { SectionInfo } from './sale-setup.js';
import { seededRandom } from '../lib/seeded-random.js';

describe('wish', () => {
  it('picks sections in proportion to their capacity, not one in N', () => {
    // 50,000 places at --ga-share 0.4: a 20,000-place floor and 60 blocks of 500
    const sections: SectionInfo[] = [
      { id: 'floor', name: 'Floor', kind: 'ga', tierCode: 'GA', capacity: 20_000, rows: [] },
      ...Array.from({ length: 60 }, (_, b): SectionInfo => ({ id: `b${b}`, name: `Block ${b}`, kind: 'reserved', tierCode: 'P2', capacity: 500, rows: [[1, 2, 3, 4, 5, 6]] })),
    ];
    const random = seededRandom(11);
    let floor = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) if (wish({ sections, mix: { pay: 1, explicitSeats: 0.25, together: 0.3 }, random }).sectionId === 'floor') floor++;
    expect(floor / n).toBeGreaterThan(0.37);
    expect(floor / n).toBeLessThan(0.43);
  });
});
