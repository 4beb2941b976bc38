import sys
import os
from collections import OrderedDict, defaultdict
import json


print(os, sys, json, OrderedDict, defaultdict)
