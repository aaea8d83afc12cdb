// Small seeded PRNG (mulberry32) so randomised tests replay exactly.
export { mulberry32 } from '../../src/util/random.js';
