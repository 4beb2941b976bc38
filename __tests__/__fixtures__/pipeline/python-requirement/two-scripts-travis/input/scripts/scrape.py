import yaml
import bs4

print(yaml, bs4)
