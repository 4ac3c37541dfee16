"""A notebook that needs an optional extra is skipped, saying which, when the extra is not
installed (the test command of a plain `.[dev]` install); CI installs every extra and runs all."""
import importlib.util

import pytest

# notebook -> the module it needs, and the extra that installs it
NEEDS = {"12_graduating_to_pytorch.ipynb": ("torch", "torch")}


def pytest_collection_modifyitems(config, items):
    for item in items:
        need = NEEDS.get(item.path.name)
        if need and importlib.util.find_spec(need[0]) is None:
            item.add_marker(pytest.mark.skip(
                reason=f"needs {need[0]}: pip install -e \".[dev,{need[1]}]\""))
