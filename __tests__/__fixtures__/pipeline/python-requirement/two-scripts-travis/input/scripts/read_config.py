import toml

print(toml.load("pyproject.toml"))
