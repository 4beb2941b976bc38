with open("/var/cache/ci-autofixer-app/state.json", "w") as handle:
    handle.write("{}")
