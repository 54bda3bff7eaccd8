package example.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The Java half of the pipeline: adds up the {@code counts.tsv} that each script run wrote. */
final class WordTally {
  private final Map<String, Long> wordsPerFile = new LinkedHashMap<>();
  private final Map<String, Long> countPerWord = new TreeMap<>();

  /** Adds one file's counts ({@code word<TAB>count} lines). */
  void add(String file, Path countsTsv) throws IOException {
    long words = 0;
    for (String line : Files.readAllLines(countsTsv, StandardCharsets.UTF_8)) {
      int tab = line.lastIndexOf('\t');
      if (tab < 1) {
        throw new IOException(countsTsv + ": not a word<TAB>count line: " + line);
      }
      long n = Long.parseLong(line.substring(tab + 1));
      countPerWord.merge(line.substring(0, tab), n, Long::sum);
      words += n;
    }
    wordsPerFile.put(file, words);
  }

  /** Prints the words per file, the total and the {@code top} most frequent words. */
  void print(PrintStream out, int top) {
    wordsPerFile.forEach((file, n) -> out.printf("%-20s %6d words%n", file, n));
    long total = wordsPerFile.values().stream().mapToLong(Long::longValue).sum();
    out.printf("total: %d words, %d distinct, in %d files%n", total, countPerWord.size(),
        wordsPerFile.size());
    StringBuilder line = new StringBuilder("most frequent:");
    countPerWord.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()))
        .limit(top)
        .forEach(e -> line.append(' ').append(e.getKey()).append('=').append(e.getValue()));
    out.println(line);
  }
}
