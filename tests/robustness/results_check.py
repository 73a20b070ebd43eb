"""What every robustness script checks first in a results.json: that it
reads, lists every selected case, and names the expected target_state."""

import json
import sys


def load_and_check(path, ids_path, state):
    """Prints what is wrong and returns (results, cases by id, selected ids);
    exits when results.json cannot be read."""
    try:
        with open(path) as f:
            results = json.load(f)
        cases = {c["id"]: c for c in results["cases"]}
    except (OSError, ValueError, KeyError, TypeError) as e:
        print("results.json unreadable: %s" % e)
        sys.exit(0)
    wanted = open(ids_path).read().split()
    missing = [i for i in wanted if i not in cases]
    if missing:
        print("cases missing from results.json: %s" % ", ".join(missing))
    if results.get("target_state") != state:
        print("target_state is %r, expected %r" % (results.get("target_state"), state))
    return results, cases, wanted
