#!/usr/bin/python3
"""What DVC writes for a dvc.lock's content: the oracle of tst_dvc_pipeline_compat.

Reads a dvc.lock on stdin, loads it (ruamel, typ="safe", as DVC loads it) and writes it back the
way DVC dumps YAML files (dvc/utils/serialize/_yaml.py: ruamel.yaml's YAML() with
default_flow_style False, mappings in their order). When Orrery's text is what DVC writes, the
output equals the input byte for byte, and `dvc repro` leaves no diff in git.
"""

import io
import sys

from ruamel.yaml import YAML

data = YAML(typ="safe").load(sys.stdin.read())
yaml = YAML()
yaml.default_flow_style = False
out = io.StringIO()
yaml.dump(data, out)
sys.stdout.write(out.getvalue())
