/**
 * Checks HTTP requests and responses against GitHub's official OpenAPI description (the npm
 * package @octokit/openapi, api.github.com.json). The stand-in server uses it so that every answer
 * it gives, and every request the client sends, is one the real API documents.
 *
 * The description is 13 MB: it is read once per process, on first use, and each validator is
 * compiled on first use and cached (compiling all ~1000 component schemas up front would take
 * far longer than the tests that need a handful).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonObject;
}

export interface Operation {
  operationId: string;
  method: string;
  /** Path template as in the description, e.g. /repos/{owner}/{repo}/pulls. */
  template: string;
  /** Values of the template's {parameters} taken from the matched path. */
  pathParams: Record<string, string>;
}

interface CompiledOperation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  paramNames: string[];
  /** Literal segments count: the more literal, the more specific (e.g. /pulls/comments beats /pulls/{n}). */
  literalSegments: number;
  /** Has a parameter that may span several segments (`x-multi-segment`), so it is tried after the others. */
  multiSegment: boolean;
  raw: JsonObject;
}

interface Spec {
  operations: CompiledOperation[];
  components: JsonObject;
  ajv: Ajv;
  validators: Map<string, ValidateFunction>;
}

const SPEC_ID = 'https://api.github.com/openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
let cachedSpec: Spec | undefined;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * OpenAPI 3.0 marks nullability with `nullable: true`, which JSON Schema does not know. Rewrites
 * it (in place, once) into `type: [t, 'null']`, or an `anyOf` with `{type: 'null'}` when the
 * schema has no `type` (e.g. a nullable `allOf: [$ref]`).
 */
function rewriteNullable(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewriteNullable);
  if (!isObject(node)) return node;
  for (const key of Object.keys(node)) node[key] = rewriteNullable(node[key] as Json);
  if (node.nullable !== true) {
    if ('nullable' in node) delete node.nullable;
    return node;
  }
  delete node.nullable;
  if (typeof node.type === 'string') {
    node.type = [node.type, 'null'];
    if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...node.enum, null];
    return node;
  }
  const copy: JsonObject = { ...node };
  for (const key of Object.keys(node)) delete node[key];
  node.anyOf = [copy, { type: 'null' }];
  return node;
}

function loadSpec(): Spec {
  if (cachedSpec) return cachedSpec;
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const document = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
  const components = rewriteNullable(document.components as Json) as JsonObject;
  const operations: CompiledOperation[] = [];
  const componentParameters = (components.parameters ?? {}) as JsonObject;
  for (const [template, item] of Object.entries(document.paths as JsonObject)) {
    if (!isObject(item)) continue;
    const literalSegments = template.split('/').filter((segment) => segment !== '' && !segment.includes('{')).length;
    for (const method of METHODS) {
      const raw = item[method];
      if (!isObject(raw)) continue;
      rewriteNullable(raw);
      // A path parameter marked x-multi-segment (a file path, a branch such as feature/x) may
      // contain raw slashes, which GitHub accepts as well as %2F.
      const multiSegmentNames = new Set<string>();
      for (const entry of (raw.parameters as Json[] | undefined) ?? []) {
        const parameter = isObject(entry) && typeof entry.$ref === 'string' ? componentParameters[entry.$ref.replace(/^.*\//, '')] : entry;
        if (isObject(parameter) && parameter.in === 'path' && parameter['x-multi-segment'] === true) {
          multiSegmentNames.add(String(parameter.name));
        }
      }
      const paramNames: string[] = [];
      const source = template
        .split('/')
        .map((segment) =>
          segment.replace(/\{([^}]+)\}|[^{}]+/g, (part: string, name: string | undefined) => {
            if (name !== undefined) {
              paramNames.push(name);
              return multiSegmentNames.has(name) ? '(.+)' : '([^/]+)';
            }
            return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          }),
        )
        .join('/');
      operations.push({
        operationId: String(raw.operationId),
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        paramNames,
        literalSegments,
        multiSegment: multiSegmentNames.size > 0,
        raw,
      });
    }
  }
  operations.sort((a, b) => b.literalSegments - a.literalSegments || Number(a.multiSegment) - Number(b.multiSegment));

  // strict: false because the description carries OpenAPI-only keywords (example, discriminator,
  // x-github ...) that are documentation, not constraints.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
  const addFormats = (addFormatsModule as unknown as { default: (a: Ajv) => Ajv }).default ?? addFormatsModule;
  addFormats(ajv);
  // GitHub-specific formats: documented shapes, not checked by GitHub either.
  ajv.addFormat('repo.nwo', /^[^/\s]+\/[^/\s]+$/);
  ajv.addFormat('timestamp', true);
  ajv.addSchema({ $id: SPEC_ID, components } as JsonObject, SPEC_ID);
  cachedSpec = { operations, components, ajv, validators: new Map() };
  return cachedSpec;
}

/** Resolves a local `#/components/...` reference (parameters and responses are referenced this way). */
function resolveRef<T extends Json>(spec: Spec, node: T): T {
  let current: Json = node;
  for (let depth = 0; depth < 10 && isObject(current) && typeof current.$ref === 'string'; depth += 1) {
    const pointer: string = current.$ref.replace(/^#\//, '');
    let target: Json = { components: spec.components };
    for (const part of pointer.split('/')) target = isObject(target) ? (target[part] as Json) : null;
    current = target;
  }
  return current as T;
}

/** Rewrites `#/components/...` references so that they point into the registered spec document. */
function anchorRefs(node: Json): Json {
  if (Array.isArray(node)) return node.map(anchorRefs);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${SPEC_ID}${value}` : anchorRefs(value);
  }
  return out;
}

function validatorFor(spec: Spec, key: string, schema: Json): ValidateFunction {
  const cached = spec.validators.get(key);
  if (cached) return cached;
  const compiled = spec.ajv.compile(anchorRefs(schema) as JsonObject);
  spec.validators.set(key, compiled);
  return compiled;
}

function describeErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).slice(0, 8).map((error) => {
    const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
    return `${where}${error.instancePath || ''} ${error.message ?? error.keyword}${extra}`;
  });
}

/** The documented operation for a method and path, or undefined when the API has none. */
export function findOperation(method: string, pathname: string): Operation | undefined {
  const spec = loadSpec();
  const upper = method.toUpperCase();
  for (const operation of spec.operations) {
    if (operation.method !== upper) continue;
    const match = operation.pattern.exec(pathname);
    if (!match) continue;
    const pathParams: Record<string, string> = {};
    operation.paramNames.forEach((name, index) => {
      pathParams[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    return { operationId: operation.operationId, method: upper, template: operation.template, pathParams };
  }
  return undefined;
}

function rawOperation(spec: Spec, operation: Operation): CompiledOperation {
  const found = spec.operations.find((o) => o.method === operation.method && o.template === operation.template);
  if (!found) throw new Error(`unknown operation ${operation.method} ${operation.template}`);
  return found;
}

/** Query and path values arrive as text: convert them as the schema's type says before validating. */
function coerceParameter(value: string, schema: JsonObject | undefined): Json {
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

/** Violations of the operation's parameters and request body; empty when the request is valid. */
export function validateRequest(
  operation: Operation,
  query: URLSearchParams,
  body: { contentType: string | undefined; text: string },
): string[] {
  const spec = loadSpec();
  const raw = rawOperation(spec, operation);
  const label = `${operation.method} ${operation.template}`;
  const violations: string[] = [];
  const parameters = ((raw.raw.parameters as Json[] | undefined) ?? []).map((p) => resolveRef(spec, p) as unknown as Parameter);
  const known = new Set<string>();
  for (const parameter of parameters) {
    if (parameter.in !== 'path' && parameter.in !== 'query') continue;
    known.add(`${parameter.in}:${parameter.name}`);
    const value = parameter.in === 'path' ? operation.pathParams[parameter.name] : (query.get(parameter.name) ?? undefined);
    if (value === undefined) {
      if (parameter.required) violations.push(`${label}: missing required ${parameter.in} parameter ${parameter.name}`);
      continue;
    }
    if (!parameter.schema) continue;
    const validate = validatorFor(spec, `${raw.operationId}:${parameter.in}:${parameter.name}`, parameter.schema);
    if (!validate(coerceParameter(value, parameter.schema))) {
      violations.push(...describeErrors(`${label}: ${parameter.in} parameter ${parameter.name}`, validate.errors));
    }
  }
  for (const name of new Set(query.keys())) {
    // The API ignores unknown query parameters; a client sending one has a typo or a wrong idea.
    if (!known.has(`query:${name}`)) violations.push(`${label}: query parameter ${name} is not documented`);
  }

  const requestBody = raw.raw.requestBody === undefined ? undefined : resolveRef(spec, raw.raw.requestBody as JsonObject);
  if (requestBody === undefined) {
    if (body.text.trim() !== '' && operation.method !== 'GET') violations.push(`${label}: takes no request body`);
    return violations;
  }
  if (body.text.trim() === '') {
    if (requestBody.required === true) violations.push(`${label}: request body is required`);
    return violations;
  }
  const schema = (requestBody.content as JsonObject | undefined)?.['application/json'] as JsonObject | undefined;
  if (!schema?.schema) return violations;
  if (!body.contentType?.includes('json'))
    violations.push(`${label}: request body must be application/json (got ${body.contentType ?? 'none'})`);
  let parsed: Json;
  try {
    parsed = JSON.parse(body.text) as Json;
  } catch {
    violations.push(`${label}: request body is not JSON`);
    return violations;
  }
  const validate = validatorFor(spec, `${raw.operationId}:body`, schema.schema);
  if (!validate(parsed)) violations.push(...describeErrors(`${label}: request body`, validate.errors));
  return violations;
}

/**
 * Violations of the documented response for this status: the status must be documented (error
 * statuses that every endpoint can answer, 401/403/404/410/429/5xx, are checked against GitHub's
 * basic-error shape; 410 Gone is what GitHub answers for an expired job log), the body must match
 * its schema, and documented headers such as a 302's Location must be present.
 */
export function validateResponse(
  operation: Operation,
  status: number,
  headers: Record<string, string | undefined>,
  body: Json | undefined,
): string[] {
  const spec = loadSpec();
  const raw = rawOperation(spec, operation);
  const label = `${operation.method} ${operation.template} → ${status}`;
  const responses = (raw.raw.responses ?? {}) as JsonObject;
  const documented = responses[String(status)];
  let response: JsonObject | undefined = documented === undefined ? undefined : resolveRef(spec, documented as JsonObject);
  if (response === undefined) {
    if (status === 401 || status === 403 || status === 404 || status === 410 || status === 429 || status >= 500) {
      response = { content: { 'application/json': { schema: { $ref: '#/components/schemas/basic-error' } } } };
    } else {
      return [`${label}: status ${status} is not documented for this operation`];
    }
  }
  const violations: string[] = [];
  for (const name of Object.keys((response.headers as JsonObject | undefined) ?? {})) {
    if (name.toLowerCase() === 'location' && headers.location === undefined) violations.push(`${label}: missing Location header`);
  }
  const schema = ((response.content as JsonObject | undefined)?.['application/json'] as JsonObject | undefined)?.schema;
  if (schema === undefined) {
    if (body !== undefined && status !== 302) violations.push(`${label}: documented without a JSON body`);
    return violations;
  }
  if (body === undefined) return [...violations, `${label}: JSON body expected`];
  const key = documented === undefined ? 'basic-error' : `${raw.operationId}:${status}`;
  const validate = validatorFor(spec, key, schema);
  if (!validate(body)) violations.push(...describeErrors(`${label}: response body`, validate.errors));
  return violations;
}
