with open("out/sub/x.json", "w") as handle:
    handle.write("{}")
