"""Writes `src/keyward/_api_types.py`: TypedDicts for the operations the management client calls,
generated from Keyward's OpenAPI document (the one source of truth for the wire shapes).

    python3 scripts/generate_types.py openapi.json > src/keyward/_api_types.py
"""

from __future__ import annotations

import json
import sys
from typing import Any

# (TypedDict name, method, path, part): part is "body" or a status code.
OPERATIONS = [
    ("TokenCreate", "post", "/v1/tokens", "body"),
    ("CreatedToken", "post", "/v1/tokens", "201"),
    ("TokenPage", "get", "/v1/tokens", "200"),
    ("Token", "get", "/v1/tokens/{token_id}", "200"),
    ("TokenRevoke", "post", "/v1/tokens/{token_id}/revoke", "body"),
    ("TokenRotate", "post", "/v1/tokens/{token_id}/rotate", "body"),
    ("RotatedToken", "post", "/v1/tokens/{token_id}/rotate", "200"),
    ("VerifyRequest", "post", "/v1/verify", "body"),
    ("VerifyResult", "post", "/v1/verify", "200"),
]


class Generator:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.classes: list[str] = []
        self.emitted: dict[str, str] = {}

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.document
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def merged(self, schema: dict[str, Any]) -> dict[str, Any]:
        schema = self.resolve(schema)
        if "allOf" not in schema:
            return schema
        out: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            part = self.merged(part)
            out["properties"].update(part.get("properties", {}))
            out["required"] += part.get("required", [])
        return out

    def annotation(self, schema: dict[str, Any], name: str) -> str:
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            # A named component keeps its name, so one shape is one class wherever it is used.
            name = ref.rsplit("/", 1)[1].replace(".", "")
        schema = self.merged(schema)
        if "const" in schema:
            return f"Literal[{json.dumps(schema['const'])}]"
        if "enum" in schema:
            return "Literal[" + ", ".join(json.dumps(v) for v in schema["enum"]) + "]"
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.annotation(option, name) for option in schema[key]]
                literals = [o[len("Literal[") : -1] for o in options if o.startswith("Literal[")]
                rest = [o for o in options if not o.startswith("Literal[")]
                if literals:
                    rest.insert(0, "Literal[" + ", ".join(literals) + "]")
                return " | ".join(dict.fromkeys(rest))
        kind = schema.get("type")
        if isinstance(kind, list):
            return " | ".join(self.annotation({**schema, "type": k}, name) for k in kind)
        if kind == "null":
            return "None"
        if kind == "string":
            return "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "array":
            return f"list[{self.annotation(schema.get('items', {}), name + 'Item')}]"
        if kind == "object" or "properties" in schema:
            if not schema.get("properties"):
                return "dict[str, Any]"
            return self.typed_dict(schema, name)
        return "Any"

    def typed_dict(self, schema: dict[str, Any], name: str) -> str:
        schema = self.merged(schema)
        required = set(schema.get("required", []))
        fields = []
        for key, value in schema.get("properties", {}).items():
            child = name + "".join(part.capitalize() for part in key.split("_"))
            kind = self.annotation(value, child)
            fields.append(f"    {key}: {kind if key in required else f'NotRequired[{kind}]'}")
        body = "\n".join(fields) or "    pass"
        text = f"class {name}(TypedDict):\n{body}\n"
        if self.emitted.get(name) not in (None, text):
            raise SystemExit(f"two shapes for {name}")
        if name not in self.emitted:
            self.emitted[name] = text
            self.classes.append(text)
        return name

    def part(self, method: str, path: str, part: str) -> dict[str, Any]:
        operation = self.document["paths"][path][method]
        if part == "body":
            return operation["requestBody"]["content"]["application/json"]["schema"]
        return operation["responses"][part]["content"]["application/json"]["schema"]


def generate(document: dict[str, Any]) -> str:
    generator = Generator(document)
    aliases = []
    for name, method, path, part in OPERATIONS:
        # A named component or a union keeps its own name; the operation's name is an alias of it.
        annotation = generator.annotation(generator.part(method, path, part), name)
        if annotation != name:
            aliases.append(f"{name} = {annotation}\n")
    header = (
        '"""Generated by scripts/generate_types.py from Keyward\'s OpenAPI document. Do not edit."""\n\n'
        "from __future__ import annotations\n\n"
        "from typing import Any, Literal, NotRequired, TypedDict\n"
    )
    return header + "\n\n" + "\n\n".join(generator.classes) + ("\n\n" + "".join(aliases) if aliases else "")


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as source:
        sys.stdout.write(generate(json.load(source)))
