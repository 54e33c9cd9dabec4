// The package version, as a constant: no package.json read at run time (the same in the ESM and
// CommonJS builds). test/api-types.test.ts checks it equals package.json's.
export const version = '0.1.0';
