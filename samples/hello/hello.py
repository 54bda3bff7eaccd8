"""Reads a CSV of cities and populations, prints a summary and writes it to summary.csv.

Run it with RGrid exactly as you would with Python:

    scripts/rgrid run samples/hello/hello.py samples/hello/data.csv
"""
import csv
import sys


def main(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    total = sum(int(r["population"]) for r in rows)
    biggest = max(rows, key=lambda r: int(r["population"]))
    print(f"read {len(rows)} cities from {path}")
    print(f"total population: {total:,}")
    print(f"largest: {biggest['city']} ({int(biggest['population']):,})")
    # Files the script writes in its working directory come back as outputs.
    with open("summary.csv", "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["cities", "total", "largest"])
        w.writerow([len(rows), total, biggest["city"]])
    print("wrote summary.csv", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: hello.py CITIES.csv")
    main(sys.argv[1])
