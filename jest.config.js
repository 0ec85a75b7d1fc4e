/** ts-jest transpiles only (tsconfig's isolatedModules): `npm test` runs `tsc --noEmit` first for the type check. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  // Angular ships ES modules only, which jest's CommonJS runtime cannot load: `npm run test:angular` runs these.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/spec/angular/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 30000,
};
