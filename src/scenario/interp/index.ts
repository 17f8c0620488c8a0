/** The scenario interpreter: scenarios (YAML, JSON, TypeScript) as Programs. */
export {
  compileScenario,
  violationExpectation,
  type CompileOptions,
  type ThreadBody,
} from './compile.js';
export { knownCheckerIds, knownCheckers } from './checkers.js';
export { argsText, hex, stepLabel, stepText } from './describe.js';
export { loadModelScenario, loadScenarioProgram, modelLoadOptions } from './load.js';
export { isScenarioProgram, type ScenarioProgram } from './program.js';
export { resultsOf, type ResultValue, type ScenarioReport } from './results.js';
export type { BoundValue, ExpectationRecord } from './run.js';
export { ScenarioRuntimeError } from './runtime-error.js';
export type { ScenarioTraceKinds } from './trace-kinds.js';
export { narrate, type LineKind, type NarrativeInput, type NarrativeLine } from './narrative.js';
