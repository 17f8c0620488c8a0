/**
 * User-input errors of the scenario loader: a stable code, the place (file, line, column,
 * 1-based), what was wrong and what is accepted. docs/errors.md explains every code.
 */

/** Every error code with a one-line title; the docs page lists the same codes. */
export const errorCodes = {
  GS100: 'YAML or JSON syntax error',
  GS101: 'duplicate key in a map',
  GS102: 'the document is not a scenario map',
  GS103: 'unknown key',
  GS104: 'missing required key',
  GS105: 'value of the wrong type',
  GS106: 'invalid scenario id',
  GS107: 'invalid tag',
  GS110: 'invalid size',
  GS111: 'invalid integer or integer out of range',
  GS112: 'unknown kernel constant',
  GS113: 'unknown errno name',
  GS114: 'invalid address or value expression',
  GS115: 'word not among the accepted ones',
  GS120: 'inconsistent machine configuration',
  GS121: 'invalid file declaration',
  GS122: 'unknown quirk',
  GS123: 'invalid process list',
  GS124: 'invalid name',
  GS130: 'a step is not a one-operation map',
  GS131: 'unknown operation',
  GS132: 'operation outside the loaded model',
  GS133: 'unknown argument',
  GS134: 'missing required argument',
  GS135: 'invalid combination of arguments',
  GS136: 'repeat nested too deeply',
  GS140: 'name bound twice',
  GS141: 'name never bound',
  GS142: 'name used before the step that binds it',
  GS143: 'name of the wrong kind',
  GS144: 'unknown field of a name',
  GS145: 'unknown thread',
  GS146: 'unknown process',
  GS147: 'wait for an event that is never signalled',
  GS148: 'unknown file',
  GS150: 'invalid violations expectation',
  GS151: 'unknown checker id',
  GS160: 'name not bound yet when the step runs',
  GS161: 'argument invalid when the step runs',
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** A place in a scenario file; line and column count from 1. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface ScenarioErrorDetails {
  readonly code: ErrorCode;
  readonly pos: SourcePos;
  /** What was wrong, naming the offending text. */
  readonly problem: string;
  /** What would have been accepted instead. */
  readonly accepted: string;
  /** A suggestion such as "did you mean 'pin_user_pages'?". */
  readonly hint?: string;
}

function render(d: ScenarioErrorDetails): string {
  const where = `${d.pos.file}:${d.pos.line}:${d.pos.column}`;
  const hint = d.hint === undefined ? '' : `; ${d.hint}`;
  const accepted = `\n  accepted: ${d.accepted}`;
  return `${where}: ${d.code} ${d.problem}${hint}${accepted}`;
}

/** The one exception type the loader throws for bad input. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly code: ErrorCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly problem: string;
  readonly accepted: string;
  readonly hint: string | null;

  constructor(details: ScenarioErrorDetails) {
    super(render(details));
    this.code = details.code;
    this.file = details.pos.file;
    this.line = details.pos.line;
    this.column = details.pos.column;
    this.problem = details.problem;
    this.accepted = details.accepted;
    this.hint = details.hint ?? null;
  }

  /** Plain data for `--json` output. */
  toJSON(): Record<string, string | number | null> {
    const { code, file, line, column, problem, accepted, hint } = this;
    return { code, file, line, column, problem, accepted, hint };
  }
}
