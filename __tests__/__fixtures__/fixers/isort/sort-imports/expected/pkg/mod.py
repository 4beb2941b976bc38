import json
import os
import sys
from collections import OrderedDict, defaultdict

print(os, sys, json, OrderedDict, defaultdict)
