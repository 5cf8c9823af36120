/**
 * Strict JSON Schemas for every kind Usher renders, derived from the typed models.
 *
 * Why: kubernetes-models' bundled validators check types, formats and required fields but let
 * unknown fields through, while the API server (and a kustomize build) would drop or reject
 * them: a misspelt `readinesProbe` would silently ship no probe. The same packages' `.d.ts`
 * interfaces are generated from the Kubernetes OpenAPI spec and the published CRD schemas, so we
 * read them with the TypeScript compiler and turn every interface into a JSON Schema with
 * `additionalProperties: false`; ajv then rejects any field the upstream schema does not name.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export type JsonSchema = Record<string, unknown>;

export interface StrictSchemas {
  /** `<apiVersion>/<kind>` → schema with `$ref`s into `definitions`. */
  roots: Record<string, JsonSchema>;
  definitions: Record<string, JsonSchema>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const rootsFile = path.join(here, 'strict-roots.ts');

/** Builds the schemas by type-checking strict-roots.ts (about a second). */
export function buildStrictSchemas(): StrictSchemas {
  const program = ts.createProgram([rootsFile], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(rootsFile);
  if (!source) throw new Error(`cannot read ${rootsFile}`);
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'StrictRoots');
  if (!decl) throw new Error('StrictRoots interface not found');
  const converter = new Converter(checker);
  const roots: Record<string, JsonSchema> = {};
  for (const prop of checker.getPropertiesOfType(checker.getTypeAtLocation(decl))) {
    roots[prop.name] = converter.convert(checker.getTypeOfSymbol(prop));
  }
  return { roots, definitions: converter.definitions };
}

class Converter {
  readonly definitions: Record<string, JsonSchema> = {};
  private readonly ids = new Map<ts.Type, string>();

  constructor(private readonly checker: ts.TypeChecker) {}

  convert(type: ts.Type): JsonSchema {
    const f = type.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (f & ts.TypeFlags.StringLiteral) return { type: 'string', enum: [(type as ts.StringLiteralType).value] };
    if (f & ts.TypeFlags.NumberLiteral) return { type: 'number', enum: [(type as ts.NumberLiteralType).value] };
    if (f & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral)) return { type: 'string' };
    if (f & ts.TypeFlags.Number) return { type: 'number' };
    if (f & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
    if (f & ts.TypeFlags.Null) return { type: 'null' };
    if (type.isUnion()) return this.union(type.types);
    if (this.checker.isArrayType(type)) {
      const [item] = this.checker.getTypeArguments(type as ts.TypeReference);
      return { type: 'array', items: item ? this.convert(item) : {} };
    }
    if (f & ts.TypeFlags.Object) return this.object(type);
    return {};
  }

  private union(members: ts.Type[]): JsonSchema {
    const kept = members.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    if (kept.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
    if (kept.every((t) => t.flags & ts.TypeFlags.StringLiteral)) {
      return { type: 'string', enum: kept.map((t) => (t as ts.StringLiteralType).value) };
    }
    if (kept.length === 1) return this.convert(kept[0]!);
    return { anyOf: kept.map((t) => this.convert(t)) };
  }

  /** Object types become shared definitions, so recursive CRD types terminate. */
  private object(type: ts.Type): JsonSchema {
    const known = this.ids.get(type);
    if (known) return { $ref: `#/definitions/${known}` };
    const id = `T${this.ids.size}`;
    this.ids.set(type, id);
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const prop of this.checker.getPropertiesOfType(type)) {
      properties[prop.name] = this.convert(this.checker.getNonNullableType(this.checker.getTypeOfSymbol(prop)));
      if (!(prop.flags & ts.SymbolFlags.Optional)) required.push(prop.name);
    }
    const index = this.checker.getIndexTypeOfType(type, ts.IndexKind.String);
    const schema: JsonSchema = {
      type: 'object',
      properties,
      // A map (labels, annotations, trigger metadata) keeps its value type; a struct allows nothing else.
      additionalProperties: index ? this.convert(index) : false,
    };
    if (required.length > 0) schema.required = required;
    this.definitions[id] = schema;
    return { $ref: `#/definitions/${id}` };
  }
}
