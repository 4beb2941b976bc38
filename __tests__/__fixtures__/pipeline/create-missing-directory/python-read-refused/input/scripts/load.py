import csv

with open("data/input.csv", newline="") as handle:
    rows = list(csv.reader(handle))
print(len(rows))
