import os
import yaml


def load_config(path = "config.yml"):
    with open(path) as handle:
        data=yaml.safe_load(handle)
    return {key.lower():value for key,value in data.items()}


def environment( ):
    return os.environ.get("APP_ENV","development")
