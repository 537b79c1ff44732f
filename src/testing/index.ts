export { type JournalConformanceOptions, journalConformance } from './journal-conformance.ts';
