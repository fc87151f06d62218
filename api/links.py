"""OpenAPI links between the document operations, for clients and stateful testing.

A document listed by ``GET /v1/documents`` or returned by an upload can be read, shown
and (uploads) deleted by its ``doc_id``; the links say so, so that schemathesis'
stateful phase chains real ids instead of guessing them (tests/test_fuzz.py).

Example::

    >>> schema = add_document_links(app.openapi())
    >>> list(schema["paths"]["/v1/documents"]["get"]["responses"]["200"]["links"])
    ['GetDocument', 'DocumentPage']
"""

from __future__ import annotations

_TARGETS = {  # link name -> (path, method)
    "GetDocument": ("/v1/documents/{doc_id}", "get"),
    "DocumentPage": ("/documents/{doc_id}", "get"),
    "DeleteDocument": ("/v1/documents/{doc_id}", "delete"),
}
# (source path, method, statuses, where the id is, links)
_SOURCES = [
    ("/v1/documents", "get", ("200",), "$response.body#/documents/0/doc_id",
     ("GetDocument", "DocumentPage")),
    ("/v1/documents", "post", ("200", "201"), "$response.body#/doc_id",
     ("GetDocument", "DocumentPage", "DeleteDocument")),
]  # fmt: skip


def add_document_links(schema: dict) -> dict:
    """Add the links to ``schema`` (in place; operations it lacks are skipped)."""
    paths = schema.get("paths", {})
    for path, method, statuses, where, names in _SOURCES:
        source = paths.get(path, {}).get(method)
        if source is None:
            continue
        for status in statuses:
            response = source.get("responses", {}).get(status)
            if response is None:
                continue
            links = response.setdefault("links", {})
            for name in names:
                target_path, target_method = _TARGETS[name]
                target = paths.get(target_path, {}).get(target_method)
                if target and "operationId" in target:
                    links[name] = {
                        "operationId": target["operationId"],
                        "parameters": {"doc_id": where},
                    }
    return schema
