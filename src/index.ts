/** gupsim: the public entry point. */
export * from './sim/index.js';
export { exploreDfs } from './explore/dfs.js';
export type { DfsOptions, DfsResult } from './explore/dfs.js';
