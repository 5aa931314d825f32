"""The API's documentation page (/api/docs), rendered by the site from the OpenAPI schema.

django-ninja's Swagger UI page failed the accessibility audit on 70 elements (no ``lang``,
no landmarks, controls nested in controls, contrast of its method badges) in markup the
site cannot change; this page shows the same schema (every operation, its parameters and
answers, every object's fields) as a plain page of the site: its header, its colours,
valid HTML, no script. Tools keep reading the schema itself at /api/openapi.json.
"""

from django.shortcuts import render
from django.utils.html import format_html, format_html_join
from ninja.openapi.docs import DocsBase

REF_PREFIX = "#/components/schemas/"


def type_of(schema):
    """A short reading of a JSON schema, as HTML with links to the objects it names:
    "integer (1000–3000)", "array of <a href=…>TagOut</a>", …"""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF_PREFIX)
        return format_html('<a href="#schema-{}">{}</a>', name, name)
    if "anyOf" in schema:
        kinds = [type_of(s) for s in schema["anyOf"] if s.get("type") != "null"]
        nullable = any(s.get("type") == "null" for s in schema["anyOf"])
        either = format_html_join(" or ", "{}", ((k,) for k in kinds))
        return format_html("{} or null", either) if nullable else either
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    kind = schema.get("type", "any")
    if kind == "array":
        return format_html("array of {}", type_of(schema.get("items", {})))
    limits = [schema.get(k) for k in ("minimum", "maximum")]
    if any(v is not None for v in limits):
        low, high = ("" if v is None else v for v in limits)
        return f"{kind} ({low}–{high})"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind


def operations(schema):
    """``[(tag, [operation, …]), …]`` in the schema's order, ready for the template."""
    by_tag = {}
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            answers = []
            for status, answer in op["responses"].items():
                body = answer.get("content", {}).get("application/json", {}).get("schema", {})
                answers.append(
                    {"status": status, "description": answer["description"], "type": body}
                )
            by_tag.setdefault((op.get("tags") or ["other"])[0], []).append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": type_of(p["schema"]),
                            "description": p.get("description")
                            or p["schema"].get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "answers": [
                        {**a, "type": type_of(a["type"]) if a["type"] else ""} for a in answers
                    ],
                }
            )
    return list(by_tag.items())


def objects(schema):
    """Every object schema with its fields: ``[{"name", "fields": […]}, …]``."""
    found = []
    for name, definition in schema.get("components", {}).get("schemas", {}).items():
        required = set(definition.get("required", []))
        found.append(
            {
                "name": name,
                "description": definition.get("description", ""),
                "kind": type_of(definition) if "properties" not in definition else "object",
                "fields": [
                    {
                        "name": field,
                        "type": type_of(spec),
                        "required": field in required,
                        "description": spec.get("description", ""),
                    }
                    for field, spec in definition.get("properties", {}).items()
                ],
            }
        )
    return found


class SiteDocs(DocsBase):
    """``NinjaAPI(docs=SiteDocs())``: the reference as a page of the site."""

    template = "api/docs.html"

    def render_page(self, request, api, **kwargs):
        schema = api.get_openapi_schema(path_params=kwargs)
        context = {
            "info": schema["info"],
            "openapi_url": self.get_openapi_url(api, kwargs),
            "operations": operations(schema),
            "objects": objects(schema),
        }
        return render(request, self.template, context)
