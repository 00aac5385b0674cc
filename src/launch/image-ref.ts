// Bare container image references as the positional <plugin> (`ghcr.io/me/my-plugin:v1.2.0`): the Docker reference
// grammar (github.com/distribution/reference), and the pure decision between reading an argument as a path and
// reading it as an image. No I/O here: resolve.ts gathers the facts (does the path exist, is there an engine, does it
// hold the image) and acts on the reading.

/**
 * Subcommands of plugin-conformance. src/cli.ts main() dispatches them on argv[0] before any parsing, so they win over
 * an image of the same name; as a plugin argument elsewhere they are never read as an image either (`docker:NAME`
 * forces the image, `./NAME` the path). Add a new subcommand's name here.
 */
export const SUBCOMMANDS: readonly string[] = ['rules', 'list', 'merge', 'bench', 'github-summary'];

/** The prefix that forces the image reading (`docker:IMAGE`, same as --container IMAGE). */
export const DOCKER_PREFIX = 'docker:';

export interface ImageReference {
  /** Registry host with optional port (`ghcr.io`, `localhost:5000`, `[::1]:5000`), when the reference names one. */
  domain?: string;
  /** The repository path below the domain, lowercase components separated by `/` (`me/my-plugin`). */
  path: string;
  tag?: string;
  /** `sha256:<64 hex>` */
  digest?: string;
}

export type ParsedImageReference = { ok: true; ref: ImageReference } | { ok: false; reason: string };

const NAME_TOTAL_LENGTH_MAX = 255;
/** path-component := alpha-numeric [separator alpha-numeric]*, separator := [_.]|__|[-]* */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
/** host := domain-name | IPv4 | [IPv6], then an optional :port */
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parses `[host[:port]/]path[:tag][@digest]` by the Docker reference grammar; the reason says what is wrong. */
export function parseImageReference(text: string): ParsedImageReference {
  const fail = (reason: string): ParsedImageReference => ({ ok: false, reason });
  if (!text) return fail('it is empty');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return fail(`"@${digest}" is not a digest (sha256: and 64 lowercase hex digits)`);
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) return fail(`":${tag}" is not a tag (letters, digits, _ . -, starting with a letter, digit or _; at most 128)`);
  }
  if (!rest) return fail('it has no repository name');
  if (rest.length > NAME_TOTAL_LENGTH_MAX) return fail(`the repository name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  let components = rest.split('/');
  let domain: string | undefined;
  if (components.length > 1 && /[.:]|^localhost$/.test(components[0])) {
    domain = components[0];
    components = components.slice(1);
    if (!DOMAIN.test(domain)) return fail(`"${domain}" is not a registry host[:port]`);
  }
  for (const component of components) {
    if (PATH_COMPONENT.test(component)) continue;
    if (component === '') return fail('it has an empty path component (a leading, trailing or doubled /)');
    if (component !== component.toLowerCase() && PATH_COMPONENT.test(component.toLowerCase())) {
      return fail(`repository names must be lowercase ("${component}")`);
    }
    return fail(`"${component}" is not a repository path component (lowercase letters and digits, separated by . _ __ or -)`);
  }
  return { ok: true, ref: { ...(domain ? { domain } : {}), path: components.join('/'), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) } };
}

/** The reference written back (what was parsed; no defaults added). */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.domain ? `${ref.domain}/` : ''}${ref.path}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/**
 * A reference without registry host, tag or digest (`plugins/wait`, `my-plugin`) reads just as well as a relative
 * path; one with any of them is unambiguous enough to be an image.
 */
export function isAmbiguous(ref: ImageReference): boolean {
  return !ref.domain && !ref.tag && !ref.digest;
}

/** Whether the argument is written as a URL or forces a kind itself (`docker:`, `oci://`, `https://`, `file://`…). */
export function hasExplicitKind(target: string): boolean {
  return target.startsWith(DOCKER_PREFIX) || /^[a-z][a-z0-9+.-]*:\/\//i.test(target);
}

/** What resolve.ts found out about the argument; the engine facts are only needed for an ambiguous reference. */
export interface TargetFacts {
  /** A file or folder of that name exists (relative to the working directory). */
  pathExists: boolean;
  /** A Docker engine answers; undefined when not checked. */
  engineAvailable?: boolean;
  /** Why no engine answers, with how to start one (the container module's message). */
  engineProblem?: string;
  /** The engine holds the image; undefined when not checked. */
  imageExistsLocally?: boolean;
}

export type TargetReading =
  /** As written: a URL, docker:IMAGE, or a path (which may still turn out not to exist). */
  | { reading: 'as-written' }
  /** A container image; `notice` is the line to print first, saying which reading was taken. */
  | { reading: 'image'; image: string; notice: string }
  /** Neither reading can be taken: exit 2 with `message`, which names both readings and how to force each. */
  | { reading: 'refused'; message: string }
  /** An ambiguous reference: ask the engine (engineAvailable, imageExistsLocally), then decide again. */
  | { reading: 'ask-engine'; image: string };

/** Decides how to read the positional <plugin> from the facts (pure; see TargetReading). */
export function readPluginArgument(target: string, facts: TargetFacts): TargetReading {
  if (hasExplicitKind(target) || facts.pathExists) return { reading: 'as-written' };
  const parsed = parseImageReference(target);
  if (!parsed.ok) return { reading: 'as-written' };
  const force = `write ./${target} for a path, or ${DOCKER_PREFIX}${target} for the container image`;
  if (isAmbiguous(parsed.ref) && SUBCOMMANDS.includes(target)) {
    return {
      reading: 'refused',
      message: `"${target}" is a plugin-conformance command name (reserved), so it is not read as a container image, and there is no file or folder of that name here. To test a plugin, ${force}.`,
    };
  }
  const notFile = `"${target}" is not a file here`;
  if (!isAmbiguous(parsed.ref)) {
    return { reading: 'image', image: target, notice: `${notFile}; testing it as the container image ${target} (write ./${target} for a path)` };
  }
  if (facts.engineAvailable === undefined) return { reading: 'ask-engine', image: target };
  const both = `"${target}" is neither a file nor a folder here, and as a container image it has no registry host, tag or digest`;
  if (!facts.engineAvailable) {
    return {
      reading: 'refused',
      message: `${both}; checking whether it is a local image needs a Docker engine: ${facts.engineProblem ?? 'no Docker engine answers.'} To test it anyway, ${force}.`,
    };
  }
  if (facts.imageExistsLocally === undefined) return { reading: 'ask-engine', image: target };
  if (facts.imageExistsLocally) {
    return {
      reading: 'image',
      image: target,
      notice: `${notFile}, and the local Docker engine has the image ${target}; testing it as that container image (write ./${target} for a path)`,
    };
  }
  return {
    reading: 'refused',
    message: `${both}, and the local Docker engine has no image ${target}. To test it, ${force} (with --pull to pull it).`,
  };
}

/** Why an argument that reached the path reading (and was not found) is no image reference either, when it looks like one. */
export function whyNotAnImage(target: string): string | undefined {
  if (hasExplicitKind(target) || /^[.~/]/.test(target)) return undefined;
  const parsed = parseImageReference(target);
  return parsed.ok ? undefined : parsed.reason;
}
