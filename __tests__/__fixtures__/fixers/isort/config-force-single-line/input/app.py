from os import path, sep
import re
print(path, sep, re)
