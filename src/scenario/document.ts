/** Scenario text -> YAML document with node positions (JSON is read as YAML flow style). */
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { ScenarioError } from './errors.js';
import { Source } from './source.js';
import { truncate } from './suggest.js';

function syntaxError(src: Source, error: YAMLError): ScenarioError {
  const code = error.code === 'DUPLICATE_KEY' ? 'GS101' : 'GS100';
  const problem =
    error.code === 'DUPLICATE_KEY'
      ? 'a key appears twice in the same map'
      : `syntax error: ${truncate(error.message.split('\n')[0] ?? '', 120)}`;
  const accepted = error.code === 'DUPLICATE_KEY' ? 'each key once per map' : 'YAML 1.2 or JSON';
  return new ScenarioError({ code, pos: src.posAt(error.pos[0]), problem, accepted });
}

/** Parse the text and return the root node, which must be a map. */
export function parseScenarioText(file: string, text: string): { src: Source; root: unknown } {
  const lines = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: true,
      version: '1.2',
    });
  } catch (error) {
    // The parser recurses; pathological nesting can exhaust the stack.
    const reason = error instanceof Error ? error.message : String(error);
    throw new ScenarioError({
      code: 'GS100',
      pos: { file, line: 1, column: 1 },
      problem: `unreadable text (${truncate(reason)})`,
      accepted: 'YAML 1.2 or JSON',
    });
  }
  const src = new Source(file, lines, doc);
  const first = doc.errors[0];
  if (first !== undefined) throw syntaxError(src, first);
  const root = doc.contents;
  if (!src.isMap(root)) {
    src.fail(
      'GS102',
      root,
      `a scenario must be a map, found ${src.describe(root)}`,
      'a map with scenario: and threads:',
    );
  }
  return { src, root };
}
