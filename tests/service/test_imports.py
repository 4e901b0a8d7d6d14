"""What importing a part of the monitor loads: the rules are read without a Redis client or a database layer, and
the incident store without the schema's migrations."""
import subprocess
import sys

import pytest


@pytest.mark.parametrize("module, not_loaded", [
    ("monitor.rules", {"redis", "hiredis", "sqlalchemy", "alembic"}),
    ("monitor.incidents", {"alembic"}),
])
def test_a_module_loads_only_what_it_needs(module, not_loaded):
    code = f"import sys, {module}; print(sorted({sorted(not_loaded)!r} & sys.modules.keys()))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
