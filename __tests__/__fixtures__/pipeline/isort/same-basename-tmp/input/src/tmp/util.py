import re
import json

PATTERN = re.compile(json.dumps("x"))
