/**
 * Records complaint workflow histories for the replay test (`npm run histories:record`): the same
 * services and transform as the test suite, but only test/record/*.record.ts, which `npm test` never runs.
 */
const suite = require('./jest.config');

module.exports = {
  ...suite,
  roots: ['<rootDir>/test/record'],
  testMatch: ['**/*.record.ts'],
  testTimeout: 180_000,
};
