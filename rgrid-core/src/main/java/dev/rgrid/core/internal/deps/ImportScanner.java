package dev.rgrid.core.internal.deps;

import dev.rgrid.core.internal.deps.PythonLexer.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Finds the modules a Python source imports without running Python: {@code import a, b.c as d},
 * {@code from x.y import z}, relative imports, imports indented in blocks, after a compound
 * statement's colon or a semicolon, continued with backslashes or parenthesised. Comments and
 * string literals (docstrings included) are skipped, so text that only looks like an import is not
 * counted. Dynamic imports ({@code __import__}, {@code importlib.import_module}) are not seen.
 *
 * <p>The scan is one pass over the text and never throws: arbitrary or binary content gives
 * whatever import statements can be recognised in it.
 */
public final class ImportScanner {

  private ImportScanner() {}

  /** The imports of a Python source. */
  public static Imports scan(CharSequence source) {
    Objects.requireNonNull(source, "source");
    PythonLexer lexer = new PythonLexer(source);
    TreeSet<String> modules = new TreeSet<>();
    TreeSet<String> relative = new TreeSet<>();
    boolean statementStart = true;
    for (Kind kind = lexer.next(); kind != Kind.END; kind = lexer.next()) {
      switch (kind) {
        case NEWLINE, SEMICOLON -> statementStart = true;
        // After a compound statement's colon ("try: import x") a simple statement may follow.
        case COLON -> statementStart = lexer.depth() == 0;
        case NAME -> {
          if (statementStart && lexer.nameIs("import")) {
            importNames(lexer, modules);
          } else if (statementStart && lexer.nameIs("from")) {
            fromImport(lexer, modules, relative);
          }
          statementStart = false;
        }
        default -> statementStart = false;
      }
    }
    return new Imports(modules, relative);
  }

  /** {@code import a.b as c, d}: after the keyword. */
  private static void importNames(PythonLexer lexer, TreeSet<String> modules) {
    while (true) {
      Kind kind = lexer.next();
      if (kind != Kind.NAME) {
        lexer.pushBack(kind);
        return;
      }
      String module = dottedName(lexer);
      if (!Imports.topLevelOf(module).equals("__future__")) {
        modules.add(module);
      }
      kind = lexer.next();
      if (kind == Kind.NAME && lexer.nameIs("as")) {
        kind = lexer.next(); // the alias
        kind = kind == Kind.NAME ? lexer.next() : kind;
      }
      if (kind != Kind.COMMA) {
        lexer.pushBack(kind);
        return;
      }
    }
  }

  /** {@code from ..a.b import (c as d, e)}: after the keyword. */
  private static void fromImport(PythonLexer lexer, TreeSet<String> modules,
      TreeSet<String> relative) {
    int dots = 0;
    Kind kind = lexer.next();
    while (kind == Kind.DOT) {
      dots++;
      kind = lexer.next();
    }
    String module = null;
    if (kind == Kind.NAME && !lexer.nameIs("import")) {
      module = dottedName(lexer);
      kind = lexer.next();
    }
    if (kind != Kind.NAME || !lexer.nameIs("import") || (module == null && dots == 0)) {
      lexer.pushBack(kind);
      return;
    }
    List<String> names = importedNames(lexer);
    if (dots > 0) {
      if (module != null) {
        relative.add(Imports.topLevelOf(module));
      } else {
        names.stream().filter(name -> !name.equals("*")).forEach(relative::add);
      }
    } else if (!Imports.topLevelOf(module).equals("__future__")) {
      if (names.isEmpty() || names.contains("*")) {
        modules.add(module);
      }
      for (String name : names) {
        if (!name.equals("*")) {
          modules.add(module + "." + name);
        }
      }
    }
  }

  /** The names after {@code from … import}, without their aliases. */
  private static List<String> importedNames(PythonLexer lexer) {
    List<String> names = new ArrayList<>();
    Kind kind = lexer.next();
    boolean parenthesised = kind == Kind.LPAREN;
    if (parenthesised) {
      kind = lexer.next();
    }
    while (kind == Kind.NAME || kind == Kind.STAR) {
      names.add(kind == Kind.STAR ? "*" : lexer.name());
      kind = lexer.next();
      if (kind == Kind.NAME && lexer.nameIs("as")) {
        kind = lexer.next();
        kind = kind == Kind.NAME ? lexer.next() : kind;
      }
      if (kind != Kind.COMMA) {
        break;
      }
      kind = lexer.next();
    }
    if (!(parenthesised && kind == Kind.RPAREN)) {
      lexer.pushBack(kind);
    }
    return names;
  }

  /** A dotted name whose first part the lexer has just returned. */
  private static String dottedName(PythonLexer lexer) {
    StringBuilder name = new StringBuilder(lexer.name());
    while (true) {
      Kind kind = lexer.next();
      if (kind != Kind.DOT) {
        lexer.pushBack(kind);
        return name.toString();
      }
      kind = lexer.next();
      if (kind != Kind.NAME) {
        lexer.pushBack(kind);
        return name.toString();
      }
      name.append('.').append(lexer.name());
    }
  }
}
