def test_report():
    with open("output/report.json", "w") as handle:
        handle.write("{}")
