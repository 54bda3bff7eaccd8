package dev.rgrid.core.internal.deps;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ImportScannerTest {

  private static Imports scan(String source) {
    return ImportScanner.scan(source);
  }

  @Test
  void findsPlainAndFromImports() {
    Imports imports = scan("""
        import os
        import numpy as np, yaml
        import xml.etree.ElementTree as ET
        from PIL import Image, ImageDraw as Draw
        from sklearn.model_selection import train_test_split
        from pandas import *
        """);

    assertThat(imports.topLevel())
        .containsExactly("PIL", "numpy", "os", "pandas", "sklearn", "xml", "yaml");
    assertThat(imports.modules()).contains("xml.etree.ElementTree", "PIL.Image", "PIL.ImageDraw",
        "sklearn.model_selection.train_test_split", "pandas");
    assertThat(imports.modules()).doesNotContain("np", "Draw", "ET", "PIL.Draw");
    assertThat(imports.relative()).isEmpty();
  }

  @Test
  void findsImportsIndentedInBlocksAfterColonsAndSemicolons() {
    Imports imports = scan("""
        try:
            import ujson as json
        except ImportError:
            import json
        if True: import a1
        else: import a2
        def f():
            from b1 import c
            x = 1; import b2; from b3 import d
        class K:
            import b4
        with open('f') as fh: import b5
        """);

    assertThat(imports.topLevel())
        .containsExactly("a1", "a2", "b1", "b2", "b3", "b4", "b5", "json", "ujson");
  }

  @Test
  void followsBackslashContinuationsAndParentheses() {
    Imports imports = scan("""
        import a, \\
            b
        from c import (d,
                       e as f,  # a comment inside
                       g,
        )
        from h \\
            import i
        import j
        """);

    assertThat(imports.topLevel()).containsExactly("a", "b", "c", "h", "j");
    assertThat(imports.modules()).contains("c.d", "c.e", "c.g", "h.i");
  }

  @Test
  void ignoresCommentsAndStringsOfEveryKind() {
    Imports imports = scan("""
        '''A docstring that says
        import os_in_docstring
        from fake import thing
        '''
        # import commented_out
        x = "import in_double"; y = 'import in_single'
        z = r'import in_raw \\' still raw'; w = b"import in_bytes"
        t = f"{value!r} import in_f {'import nested'}"
        u = rb'''
        import in_raw_bytes_triple
        '''
        v = F\"\"\"
        import in_f_triple {x}
        \"\"\"
        q = f"{ {'a': 1}['a'] } import x"; import real_one
        s = "unterminated
        import after_unterminated
        """);

    assertThat(imports.topLevel()).containsExactly("after_unterminated", "real_one");
  }

  @Test
  void handlesPython312NestedQuotesInFStrings() {
    Imports imports = scan("msg = f\"{', '.join(names)} and {d[\"key\"]}\"\nimport after\n");

    assertThat(imports.topLevel()).containsExactly("after");
  }

  @Test
  void doesNotMistakeOtherUsesOfTheKeywords() {
    Imports imports = scan("""
        def gen():
            yield from source
        try:
            pass
        except E as e:
            raise Other() from e
        print(importer, from_here)
        x.import_thing()
        importlib.import_module("dyn")
        __import__("dyn2")
        """);

    assertThat(imports.modules()).isEmpty();
    assertThat(imports.relative()).isEmpty();
  }

  @Test
  void relativeImportsAreReportedApart() {
    Imports imports = scan("""
        from . import helpers, util as u
        from .models import User
        from ..shared.base import thing
        from ... import up
        """);

    assertThat(imports.modules()).isEmpty();
    assertThat(imports.relative()).containsExactly("helpers", "models", "shared", "up", "util");
  }

  @Test
  void ignoresFutureImports() {
    Imports imports = scan("from __future__ import annotations\nimport __future__\nimport a\n");

    assertThat(imports.topLevel()).containsExactly("a");
  }

  @Test
  void readsCrlfTabsFormFeedsAndAByteOrderMark() {
    Imports imports = scan("\uFEFFimport a\r\nif x:\r\n\timport b\r\n\f\r\nimport c");

    assertThat(imports.topLevel()).containsExactly("a", "b", "c");
  }

  @Test
  void keepsNonAsciiModuleNames() {
    assertThat(scan("import módulo\nfrom 数据 import x\n").topLevel())
        .containsExactly("módulo", "数据");
  }

  @Test
  void survivesTruncatedAndMalformedStatements() {
    assertThat(scan("import").modules()).isEmpty();
    assertThat(scan("from").modules()).isEmpty();
    assertThat(scan("from x").modules()).isEmpty();
    assertThat(scan("from x import").topLevel()).containsExactly("x");
    assertThat(scan("import a.").topLevel()).containsExactly("a");
    assertThat(scan("from . import").relative()).isEmpty();
    assertThat(scan("import a as").topLevel()).containsExactly("a");
    assertThat(scan("from x import (a,").topLevel()).containsExactly("x");
    assertThat(scan("f'{").modules()).isEmpty();
    assertThat(scan("'''").modules()).isEmpty();
    assertThat(scan("\\").modules()).isEmpty();
    assertThat(scan(")))\nimport z").topLevel()).containsExactly("z");
  }

  @Test
  @Timeout(30)
  void neverThrowsOnRandomBytesOrText() {
    Random random = new Random(42);
    for (int round = 0; round < 300; round++) {
      byte[] bytes = new byte[random.nextInt(4_000)];
      random.nextBytes(bytes);
      ImportScanner.scan(new String(bytes, StandardCharsets.UTF_8));
      ImportScanner.scan(new String(bytes, StandardCharsets.ISO_8859_1));
      StringBuilder text = new StringBuilder();
      String pieces = "import from as ( ) [ ] { } . , ; : \\ \n \r ' \" ''' f\" rb' # x y \t \0";
      String[] parts = pieces.split(" ");
      for (int i = 0; i < 500; i++) {
        text.append(parts[random.nextInt(parts.length)]).append(random.nextBoolean() ? " " : "");
      }
      ImportScanner.scan(text);
    }
    Imports afterGarbage = scan("\0\1\2\u00ff\ufffd\ud800\nimport real\n");
    assertThat(afterGarbage.topLevel()).containsExactly("real");
  }

  @Test
  @Timeout(30)
  void scansTenMegabytes() {
    StringBuilder source = new StringBuilder(11_000_000);
    String chunk = """
        import numpy as np
        from collections import OrderedDict  # comment
        def f(x):
            '''docstring with import os'''
            return f"{x!r}" + 'it' + str(x[1:2])
        """;
    while (source.length() < 10_000_000) {
      source.append(chunk);
    }
    Imports imports = ImportScanner.scan(source);

    assertThat(imports.topLevel()).containsExactly("collections", "numpy");
  }

  @Test
  @Timeout(10)
  void deeplyNestedFStringsDoNotOverflowTheStack() {
    String source = "f\"{".repeat(100_000) + "\nimport after\n";

    assertThat(scan(source).topLevel()).containsExactly("after");
  }
}
