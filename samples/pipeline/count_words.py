"""Counts the words of one text file: prints the total and writes counts.tsv (word, count).

RGrid runs it once per input file; the Java side (WordCount.java) adds the results up.
A word is a run of letters, digits or apostrophes, compared in lower case.
"""
import collections
import re
import sys


def main(path):
    with open(path, encoding="utf-8") as f:
        words = re.findall(r"[\w']+", f.read().lower())
    counts = collections.Counter(words)
    # Files the script writes in its working directory come back as outputs.
    with open("counts.tsv", "w", encoding="utf-8") as out:
        for word, n in sorted(counts.items(), key=lambda wc: (-wc[1], wc[0])):
            out.write(f"{word}\t{n}\n")
    print(f"{path}: {len(words)} words, {len(counts)} distinct")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: count_words.py TEXT_FILE")
    main(sys.argv[1])
