"""Generate the JSON Schemas of every contract and the AsyncAPI document into docs/ (or check them).

    uv run koonto-contracts            # write docs/events/*.schema.json and docs/asyncapi.yaml
    uv run koonto-contracts --check    # exit 1 when the checked-in files are stale (CI)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from koonto.shared.contracts.envelope import Envelope
from koonto.shared.contracts.registry import REGISTRY

CONSUMERS_NOTE = "Consumers are listed in each service's subscriptions.py."


def schemas() -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {"envelope.schema.json": Envelope.model_json_schema()}
    for type_, model in sorted(REGISTRY.items()):
        schema = model.model_json_schema()
        schema["$id"] = f"https://koonto.example.fi/schemas/{type_}.json"
        schema["title"] = type_
        schema["description"] = model.summary
        files[f"{type_}.schema.json"] = schema
    return files


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for type_, model in sorted(REGISTRY.items()):
        key = type_.replace(".", "_").replace("-", "_")
        messages[key] = {
            "name": type_,
            "title": f"{model.event_name} v{model.version}",
            "summary": model.summary,
            "contentType": "application/cloudevents+json",
            "headers": {
                "type": "object",
                "properties": {"Nats-Msg-Id": {"type": "string", "description": "= envelope id (UUIDv7)"}},
                "required": ["Nats-Msg-Id"],
            },
            "payload": {
                "allOf": [
                    {"$ref": "./events/envelope.schema.json"},
                    {"type": "object", "properties": {"data": {"$ref": f"./events/{type_}.schema.json"}}},
                ]
            },
        }
        channels[key] = {
            "address": type_,
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
            "description": f"Produced by {model.producer}. {CONSUMERS_NOTE}",
        }
        operations[f"publish_{key}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{key}"},
            "summary": f"{model.producer} publishes {model.event_name} through its outbox",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Koonto events",
            "version": "1.0.0",
            "description": (
                "Every event of the Koonto platform. One JetStream stream KOONTO holds subjects koonto.>; "
                "subject = type = koonto.<producer>.<event-name>.v<N>. Envelope: CloudEvents 1.0 attributes "
                "plus correlationid, region and traceparent."
            ),
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {"local": {"host": "127.0.0.1:4222", "protocol": "nats"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render() -> dict[str, str]:
    out = {f"events/{name}": json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
           for name, schema in schemas().items()}
    out["asyncapi.yaml"] = yaml.safe_dump(asyncapi(), sort_keys=False, allow_unicode=True, width=120)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=Path("docs"))
    parser.add_argument("--check", action="store_true", help="fail when the files on disk are stale")
    args = parser.parse_args(argv)
    wanted = render()
    stale = []
    for relative, text in wanted.items():
        path = args.docs / relative
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(relative)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    existing = {str(p.relative_to(args.docs)) for p in (args.docs / "events").glob("*.json")}
    extra = sorted(existing - set(wanted))
    if args.check:
        if stale or extra:
            print("stale generated contract files (run `uv run koonto-contracts`):", *stale, *extra, sep="\n  ")
            return 1
        print(f"contract schemas and AsyncAPI document are up to date ({len(wanted)} files)")
        return 0
    for relative in extra:
        (args.docs / relative).unlink()
    print(f"wrote {len(stale)} of {len(wanted)} files into {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
