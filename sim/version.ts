/** faultline's version, written into every trace header (test/version.test.ts keeps it equal to package.json). */
export const FAULTLINE_VERSION = '0.1.0';
