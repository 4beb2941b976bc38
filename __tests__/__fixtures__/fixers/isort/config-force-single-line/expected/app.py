import re
from os import path
from os import sep

print(path, sep, re)
