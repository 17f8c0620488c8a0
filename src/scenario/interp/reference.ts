/**
 * The operation reference of docs/scenario-format.md, generated from the operation catalogue
 * and the executor registry: one table per group (arguments, what `as:` binds, the kernel
 * function, and whether the model implements it), each followed by the examples. The docs test
 * checks the page holds exactly this text between its markers; regenerate it with
 * `GUPSIM_UPDATE_DOCS=1 npx vitest run test/scenario/interp/docs.test.ts`.
 */
import type { ArgSpec } from '../args.js';
import type { BindSpec, OperationDescriptor, OperationGroup } from '../operation.js';
import { catalogue } from '../ops/index.js';
import type { BindingKind } from '../spec.js';

export const REFERENCE_BEGIN =
  '<!-- operations: generated from the catalogue and the executor registry; do not edit -->';
export const REFERENCE_END = '<!-- operations: end -->';

const GROUPS: readonly [OperationGroup, string][] = [
  ['address space', 'Address space'],
  ['processes', 'Processes'],
  ['user memory', 'User memory'],
  ['files', 'Files'],
  ['GUP', 'GUP'],
  ['through a pin', 'Through a pin'],
  ['consumers', 'Consumers'],
  ['mm events', 'mm events'],
  ['userfaultfd', 'userfaultfd'],
  ['locks', 'Locks'],
  ['sync', 'Sync'],
];

const KIND_PREFIX: Readonly<Record<BindingKind, string>> = {
  address: 'an address',
  process: 'a process',
  pages: 'pages',
  fd: 'an fd',
  pipe: 'a pipe',
  buffers: 'buffers',
  value: 'a value',
};

/** `PROT_*` in code spans, so markdown does not read the star as emphasis. */
function families(text: string): string {
  return text.replace(/(?<!`)\b([A-Z][A-Z0-9_]*\*)/g, '`$1`');
}

function argCell(name: string, spec: ArgSpec<unknown>): string {
  const shown = spec.presence === 'required' ? `**\`${name}\`**` : `\`${name}\``;
  const fallback = spec.fallback === undefined ? '' : `, default \`${spec.fallback.text}\``;
  return `${shown} (${families(spec.type.label)}${fallback}): ${families(spec.doc)}`;
}

function bindsCell(binds: BindSpec | undefined): string {
  if (binds === undefined || (binds.kind === 'value' && binds.doc === 'the return value')) {
    return 'the return value';
  }
  const fields = (binds.fields ?? []).map((f) => `; \`.${f.name}\``).join('');
  return `${KIND_PREFIX[binds.kind]}: ${binds.doc}${fields}`;
}

function row(op: OperationDescriptor, implemented: boolean): string {
  const args = Object.entries(op.args).map(([name, spec]) => argCell(name, spec));
  const cells = [
    `\`${op.name}\``,
    args.length === 0 ? '—' : args.join('<br>'),
    bindsCell(op.binds),
    `\`${op.kernel}\``,
    implemented ? 'yes' : 'not yet',
  ];
  return `| ${cells.join(' | ')} |`;
}

function section(
  title: string,
  ops: readonly OperationDescriptor[],
  implemented: (name: string) => boolean,
): string {
  return [
    `### ${title}`,
    '',
    '| operation | arguments | `as:` binds | kernel | model |',
    '|---|---|---|---|---|',
    ...ops.map((op) => row(op, implemented(op.name))),
    '',
    '```yaml',
    ...ops.map((op) => `- ${op.example}`),
    '```',
  ].join('\n');
}

/** The generated part of the Operations section, markers included. */
export function operationReference(implemented: (name: string) => boolean): string {
  const sections = GROUPS.map(([group, title]) =>
    section(
      title,
      catalogue.filter((op) => op.group === group),
      implemented,
    ),
  );
  return [REFERENCE_BEGIN, '', sections.join('\n\n'), '', REFERENCE_END].join('\n');
}

/** `text` with its generated part replaced by `reference`; throws when the markers are missing. */
export function replaceReference(text: string, reference: string): string {
  const begin = text.indexOf(REFERENCE_BEGIN);
  const end = text.indexOf(REFERENCE_END);
  if (begin < 0 || end < begin) throw new Error('the operation reference markers are missing');
  return text.slice(0, begin) + reference + text.slice(end + REFERENCE_END.length);
}
