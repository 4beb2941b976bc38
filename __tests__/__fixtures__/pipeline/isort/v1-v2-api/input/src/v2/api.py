from typing import List
import json


def load(text: str) -> List[str]:
    return json.loads(text)
