// Renders InstallTool scripts the way piped's text/template does, but strictly: the only actions allowed are the
// six fields piped documents. Anything else is refused, so a plugin relying on template features fails loudly here.

export const INSTALL_FIELDS = ['Name', 'Version', 'OutPath', 'TmpDir', 'Arch', 'Os'] as const;
export type InstallField = (typeof INSTALL_FIELDS)[number];
export type InstallVars = Record<InstallField, string>;

const ALLOWED = INSTALL_FIELDS.map((f) => `{{.${f}}}`).join(' ');
const TRIM_SPACE = /[ \t\r\n]/;

/** Thrown for a script that piped's template engine would reject or that uses more than the documented fields. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

/**
 * Substitutes `{{.Field}}` actions. Spaces inside the braces are allowed (`{{ .OutPath }}`), and so are Go's trim
 * markers (`{{- .Name -}}`), which are syntax rather than actions and which real piped accepts.
 */
export function renderInstallScript(script: string, vars: InstallVars): string {
  let out = '';
  let rest = script;
  for (;;) {
    const open = rest.indexOf('{{');
    if (open < 0) return out + rest;
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateError(`unclosed action starting at ${JSON.stringify(rest.slice(open, open + 30))}`);
    let inner = rest.slice(open + 2, close);
    let text = rest.slice(0, open);
    if (inner.startsWith('-') && TRIM_SPACE.test(inner[1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      inner = inner.slice(1);
    }
    let trimAfter = false;
    if (inner.endsWith('-') && TRIM_SPACE.test(inner[inner.length - 2] ?? '')) {
      trimAfter = true;
      inner = inner.slice(0, -1);
    }
    out += text + fieldValue(inner.trim(), vars);
    rest = rest.slice(close + 2);
    if (trimAfter) rest = rest.replace(/^[ \t\r\n]+/, '');
  }
}

function fieldValue(action: string, vars: InstallVars): string {
  const field = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(action)?.[1];
  if (field === undefined) {
    throw new TemplateError(`unsupported template action {{${action}}}; an install script may use only ${ALLOWED}`);
  }
  if (!(INSTALL_FIELDS as readonly string[]).includes(field)) {
    throw new TemplateError(`unknown template field .${field}; an install script may use only ${ALLOWED}`);
  }
  return vars[field as InstallField];
}
