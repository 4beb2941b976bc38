import sys
import argparse

PARSER = argparse.ArgumentParser(prog=sys.argv[0])
