// Emits TypeScript from Keyward's OpenAPI 3.1 document: a type per component schema, the bodies,
// queries and answers of every operation, and a table of operations the SDK builds its client on.
// Pure (document in, source out); scripts/generate-api-types.ts runs it on the served document.
// Handles the JSON Schema the route schemas produce (objects, arrays, unions, intersections,
// enums, records, $ref); anything else throws rather than emitting a type that lies.

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  description?: string;
};
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema; description?: string };
type Media = { schema?: Schema };
type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, Media> };
  responses?: Record<string, { $ref?: string; content?: Record<string, Media> }>;
};
export type OpenApiDocument = {
  info?: { title?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const JSON_TYPES = ['application/json', 'application/problem+json'];

const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);
const key = (name: string) => (IDENTIFIER.test(name) ? name : JSON.stringify(name));
const refName = (ref: string) => {
  const match = /^#\/components\/schemas\/([A-Za-z][A-Za-z0-9]*)$/.exec(ref);
  if (!match?.[1]) throw new Error(`openapi-to-ts: unsupported $ref ${ref}`);
  return match[1];
};
const doc = (text: string | undefined, indent: string) =>
  text ? `${indent}/** ${text.replace(/\*\//g, '*\\/').replace(/\s*\n\s*/g, ' ')} */\n` : '';
/** Parenthesises a union or intersection where it becomes an array element. */
const element = (type: string) => (/^[\w.]+$|^\{[\s\S]*\}$|^Record<.*>$/.test(type) ? type : `(${type})`);
const union = (types: string[]) => [...new Set(types)].join(' | ');

/** The TypeScript type of a JSON Schema, as the route schemas write it. */
export function schemaType(schema: Schema | undefined, indent = ''): string {
  if (schema === undefined) return 'unknown';
  if (schema.$ref) return refName(schema.$ref);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return union(schema.enum.map((v) => JSON.stringify(v)));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return union(alternatives.map((s) => schemaType(s, indent)));
  if (schema.allOf) return schema.allOf.map((s) => element(schemaType(s, indent))).join(' & ');
  if (Array.isArray(schema.type))
    return union(schema.type.map((type) => schemaType({ ...schema, type }, indent)));
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `${element(schemaType(schema.items, indent))}[]`;
    case 'object':
    case undefined:
      if (schema.type === undefined && !schema.properties && schema.additionalProperties === undefined)
        return 'unknown';
      return objectType(schema, indent);
    default:
      throw new Error(`openapi-to-ts: unsupported type ${String(schema.type)}`);
  }
}

function objectType(schema: Schema, indent: string): string {
  const inner = `${indent}  `;
  const required = new Set(schema.required ?? []);
  const extra = schema.additionalProperties;
  const entries = Object.entries(schema.properties ?? {});
  if (entries.length === 0)
    return `Record<string, ${typeof extra === 'object' ? schemaType(extra, indent) : 'unknown'}>`;
  const lines = entries.map(
    ([name, property]) =>
      `${doc(property.description, inner)}${inner}${key(name)}${required.has(name) ? '' : '?'}: ${schemaType(property, inner)};`,
  );
  if (extra === true) lines.push(`${inner}[extension: string]: unknown;`);
  else if (typeof extra === 'object') lines.push(`${inner}[key: string]: ${schemaType(extra, inner)};`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** A property the server fills in with its default need not be sent. */
function withDefaultsOptional(schema: Schema): Schema {
  if (!schema.properties || !schema.required) return schema;
  const properties = schema.properties;
  return { ...schema, required: schema.required.filter((name) => !('default' in (properties[name] ?? {}))) };
}

type Emitted = { declarations: string[]; table: string[]; signatures: string[] };

/** The JSON schema of a request body or answer, or null when it has none in JSON. */
function jsonSchemaOf(content: Record<string, Media> | undefined): Schema | null {
  const type = JSON_TYPES.find((t) => content?.[t]);
  return type ? (content?.[type]?.schema ?? null) : null;
}

/** A named type for an inline schema (a `$ref` already has one). */
function typeFor(schema: Schema, name: string, description: string | undefined, out: Emitted): string {
  if (schema.$ref) return refName(schema.$ref);
  out.declarations.push(`${doc(description, '')}export type ${name} = ${schemaType(schema)};`);
  return name;
}

function answerType(op: Operation, id: string, out: Emitted): string {
  const success = Object.entries(op.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
  const types = success.map(([status, response]) => {
    if (status === '204') return 'null';
    const schema = jsonSchemaOf(response.content);
    const json = schema ? typeFor(schema, `${pascal(id)}Response`, undefined, out) : 'unknown';
    // Another media type (the audit log's JSON lines) reaches the caller as text.
    const text = Object.keys(response.content ?? {}).some((t) => !JSON_TYPES.includes(t));
    return schema && text ? `${json} | string` : json;
  });
  return types.length > 0 ? union(types) : 'unknown';
}

function emitOperation(method: string, path: string, op: Operation, out: Emitted): void {
  const id = op.operationId;
  if (!id) throw new Error(`openapi-to-ts: ${method.toUpperCase()} ${path} has no operationId`);
  const parameters = op.parameters ?? [];
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  const args = names.map((name) => `${name}: string`);
  const query = parameters.filter((p) => p.in === 'query');
  const bodySchema = jsonSchemaOf(op.requestBody?.content);
  if (op.requestBody && !bodySchema) throw new Error(`openapi-to-ts: ${id} takes no JSON body`);
  if (bodySchema && query.length > 0) throw new Error(`openapi-to-ts: ${id} takes a body and a query`);
  let input = 'none';
  if (bodySchema) {
    input = 'body';
    const body = withDefaultsOptional(bodySchema);
    const optional = op.requestBody?.required !== true || (body.required ?? []).length === 0;
    const type = typeFor(body, `${pascal(id)}Body`, undefined, out);
    args.push(`body${optional && !bodySchema.$ref ? '?' : ''}: ${type}`);
  } else if (query.length > 0) {
    input = 'query';
    const type = typeFor(
      {
        type: 'object',
        properties: Object.fromEntries(
          query.map((p) => [
            p.name,
            { ...p.schema, ...(p.description ? { description: p.description } : {}) },
          ]),
        ),
        required: query.filter((p) => p.required && p.schema && !('default' in p.schema)).map((p) => p.name),
      },
      `${pascal(id)}Query`,
      undefined,
      out,
    );
    args.push(
      `query${query.some((p) => p.required && p.schema && !('default' in p.schema)) ? '' : '?'}: ${type}`,
    );
  }
  const response = answerType(op, id, out);
  out.table.push(
    `  ${id}: { method: '${method.toUpperCase()}', path: '${path}', params: [${names.map((n) => `'${n}'`).join(', ')}], input: '${input}' },`,
  );
  out.signatures.push(
    `${doc(op.summary, '  ')}  ${id}: { args: [${args.join(', ')}]; response: ${response} };`,
  );
}

/** The whole generated module, formatted by the caller (biome). */
export function openApiToTypeScript(document: OpenApiDocument): string {
  const out: Emitted = { declarations: [], table: [], signatures: [] };
  const components = Object.entries(document.components?.schemas ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, schema]) => `${doc(schema.description, '')}export type ${name} = ${schemaType(schema)};`);
  for (const [path, item] of Object.entries(document.paths))
    for (const method of METHODS) {
      const op = item[method];
      if (op) emitOperation(method, path, op, out);
    }
  return [
    '// Generated from the OpenAPI document Keyward serves at /openapi.json; do not edit.',
    '// Regenerate with `npm run generate:api`; a test fails when this file and the document differ.',
    '',
    ...components,
    '',
    ...out.declarations,
    '',
    '/** Every operation: its method, path template, path parameters and where its input goes. */',
    'export const OPERATIONS = {',
    ...out.table,
    '} as const;',
    '',
    '/** Every operation: the arguments of its SDK method (path parameters, then body or query) and its answer. */',
    'export type Operations = {',
    ...out.signatures,
    '};',
    '',
  ].join('\n');
}
