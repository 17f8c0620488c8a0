/** Scenario format v1: the loader, its types, the operation catalogue and the error codes. */
export { loadScenario, TOP_LEVEL_KEYS, type LoadOptions } from './load.js';
export {
  ScenarioError,
  errorCodes,
  type ErrorCode,
  type ScenarioErrorDetails,
  type SourcePos,
} from './errors.js';
export type * from './spec.js';
export {
  argsOf,
  defineOperation,
  operationRegistry,
  RETURN_VALUE,
  type BindSpec,
  type FieldSpec,
  type OperationDescriptor,
  type OperationGroup,
  type OperationRegistry,
  type RefineContext,
} from './operation.js';
export {
  optional,
  required,
  t,
  withDefault,
  type ArgContext,
  type ArgSpec,
  type ArgSpecs,
  type ArgType,
  type Presence,
  type ResolvedArgs,
} from './args.js';
export { catalogue, catalogueRegistry } from './ops/index.js';
export type { Constant, FlagSet } from './values/constants.js';
export { MACHINE_DEFAULTS } from './machine.js';
