#!/usr/bin/env python3
"""docs/design-model.schema.json, checked with a real JSON Schema validator (python3-jsonschema).

Every example model validates; models that break the schema are rejected by the validator and
by `dbarch design --check` alike (exit 3); models whose errors only the loader can see (an
unknown entity, a cycle of required relationships) validate against the schema and fail in the
loader. YAML is read with PyYAML (python3-yaml), whose plain scalars match yaml-cpp's for these
models.

Usage: model_schema_test.py DBARCH_BINARY SOURCE_DIR
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema
import yaml

# A valid model to break one piece at a time.
BASE = """\
name: base
options: { tenant: tenants, soft_delete: true, partition_rows: 10M, horizon_months: 24, start: "2025-03" }
entities:
  tenants:
    rows: 100
    attributes:
      name: { type: name, required: true, unique: true }
  orders:
    rows: 10k
    growth: 1k/month
    attributes:
      total: { type: money, currency: EUR, required: true }
      state: { type: status, values: [open, paid], default: open }
      quantity: { type: quantity, default: 1 }
relationships:
  - { from: orders, to: tenants, name: owner, kind: many_to_one, required: true }
access_patterns:
  - { name: orders newest first, kind: list, entity: orders, order: newest, frequency: 5/s }
"""

# (what, replace this, with this): each result breaks the schema and the loader.
INVALID = [
    ("unknown top-level key", "name: base\n", "name: base\nversion: 2\n"),
    ("unknown option", "start: \"2025-03\"", "start: \"2025-03\", sharding: true"),
    ("start not a month", "start: \"2025-03\"", "start: \"2025-13\""),
    ("horizon out of range", "horizon_months: 24", "horizon_months: 0"),
    ("unknown entity key", "    growth: 1k/month\n", "    growth: 1k/month\n    ttl: 30\n"),
    ("growth not a rate", "growth: 1k/month", "growth: lots"),
    ("unknown semantic type", "type: quantity", "type: amount"),
    ("unknown attribute key", "type: quantity,", "type: quantity, nullable: true,"),
    ("currency not ISO 4217", "currency: EUR", "currency: euro"),
    ("reserved attribute name", "      quantity:", "      id:"),
    ("attribute name not snake_case", "      quantity:", "      Quantity:"),
    ("unknown relationship kind", "kind: many_to_one", "kind: some"),
    ("relationship without to", "to: tenants, name: owner", "name: owner"),
    ("unknown pattern kind", "kind: list", "kind: scan"),
    ("frequency not a rate", "frequency: 5/s", "frequency: often"),
    ("pattern without frequency", ", frequency: 5/s", ""),
    ("entities missing", "entities:\n", "things:\n"),
]

# Loader-only errors: valid against the schema.
SCHEMA_VALID_FIXTURES = {"unknown_entity.yaml", "required_cycle.yaml"}


def main():
    binary, source = sys.argv[1], sys.argv[2]
    with open(os.path.join(source, "docs", "design-model.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = []
    passed = 0

    def expect(ok, what):
        nonlocal passed
        if ok:
            passed += 1
        else:
            failures.append(what)

    def errors(text):
        return [e.message for e in validator.iter_errors(yaml.safe_load(text))]

    def loader_exit(text):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.yaml")
            with open(path, "w") as f:
                f.write(text)
            run = subprocess.run([binary, "design", path, "--out", tmp, "--check"],
                                 capture_output=True, text=True)
            return run.returncode

    models = sorted(glob.glob(os.path.join(source, "examples", "*", "model.yaml")))
    models += sorted(glob.glob(os.path.join(source, "test", "fixtures", "design", "valid",
                                            "*.yaml")))
    expect(len(models) >= 2, "examples/*/model.yaml: expected at least two models")
    for path in models + [None]:
        text = BASE if path is None else open(path).read()
        name = "the base case" if path is None else os.path.relpath(path, source)
        found = errors(text)
        expect(not found, f"{name} should validate: {found}")
        code = loader_exit(text)
        expect(code == 0, f"{name}: dbarch design --check exits {code}, expected 0")

    for what, old, new in INVALID:
        if old not in BASE:
            failures.append(f"{what}: the base model has no {old!r}")
            continue
        text = BASE.replace(old, new, 1)
        expect(bool(errors(text)), f"{what}: the schema accepts it")
        code = loader_exit(text)
        expect(code == 3, f"{what}: dbarch design --check exits {code}, expected 3")

    for path in sorted(glob.glob(os.path.join(source, "test", "fixtures", "design", "*.yaml"))):
        name = os.path.basename(path)
        text = open(path).read()
        schema_ok = not errors(text)
        expect(schema_ok == (name in SCHEMA_VALID_FIXTURES),
               f"{name}: schema {'accepts' if schema_ok else 'rejects'} it")
        code = loader_exit(text)
        expect(code == 3, f"{name}: dbarch design --check exits {code}, expected 3")

    for f in failures:
        print("FAIL:", f)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
