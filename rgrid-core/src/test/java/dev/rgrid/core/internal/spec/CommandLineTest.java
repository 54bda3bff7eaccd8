package dev.rgrid.core.internal.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.InvalidRunSpecException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandLineTest {
  private static final int MAX = CommandLine.MAX_STRING_BYTES;

  @Test
  void aNulInAnyArgumentIsRefusedNamingWhichOne() {
    assertThatThrownBy(() -> CommandLine.check(List.of("ok", "bad\0", "ok"), Map.of()))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessage("argument 2 contains a NUL character");
  }

  @Test
  void aNulInAnEnvironmentValueOrNameIsRefused() {
    assertThatThrownBy(() -> CommandLine.check(List.of(), Map.of("A", "x\0y")))
        .hasMessage("environment variable A contains a NUL character");
    assertThatThrownBy(() -> CommandLine.check(List.of(), Map.of("A\0B", "x")))
        .hasMessage("invalid environment variable name 'A?B'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1A", "A-B", "A B", "A=B", "Ä", "A\u202EB"})
  void environmentNamesThatAreNotPortableAreRefused(String name) {
    assertThatThrownBy(() -> CommandLine.check(List.of(), Map.of(name, "x")))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessageStartingWith("invalid environment variable name");
  }

  @Test
  void anArgumentUpToTheKernelsLimitIsAcceptedAndOneByteMoreRefused() {
    assertThatCode(() -> CommandLine.check(List.of("x".repeat(MAX)), Map.of()))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> CommandLine.check(List.of("x".repeat(MAX + 1)), Map.of()))
        .hasMessage("argument 1 is 131072 bytes long, more than the 131071 one argument may "
            + "have (the kernel's limit)");
  }

  @Test
  void argumentLengthsAreCountedInUtf8Bytes() {
    String euros = "€".repeat(MAX / 3 + 1); // 3 bytes each
    assertThatThrownBy(() -> CommandLine.check(List.of(euros), Map.of()))
        .hasMessageContaining("argument 1 is " + euros.getBytes(StandardCharsets.UTF_8).length
            + " bytes long");
    String rockets = "🚀".repeat(10);
    assertThat(CommandLine.utf8Length(rockets))
        .isEqualTo(rockets.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void anEnvironmentVariableCountsAsNameEqualsValue() {
    String value = "v".repeat(MAX - 2);
    assertThatCode(() -> CommandLine.check(List.of(), Map.of("A", value)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> CommandLine.check(List.of(), Map.of("AB", value)))
        .hasMessageContaining("environment variable AB is 131072 bytes long (as NAME=value)");
  }

  @Test
  void theTotalOfArgumentsAndEnvironmentIsBoundedCountingNineBytesPerValue() {
    // 2 arguments of 100,000 bytes and one variable of 62,126: 262,144 with the overhead.
    List<String> args = List.of("a".repeat(100_000), "b".repeat(100_000));
    int rest = CommandLine.MAX_TOTAL_BYTES - 3 * CommandLine.OVERHEAD_PER_STRING - 200_000;
    assertThatCode(() -> CommandLine.check(args, Map.of("V", "c".repeat(rest - 2))))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> CommandLine.check(args, Map.of("V", "c".repeat(rest - 1))))
        .hasMessageStartingWith("the arguments and environment take 262145 bytes, more than "
            + "the 262144 (256 KiB)");
  }

  @Test
  void manyEmptyArgumentsCountTheirPointers() {
    List<String> empties = new ArrayList<>(Collections.nCopies(
        CommandLine.MAX_TOTAL_BYTES / CommandLine.OVERHEAD_PER_STRING + 1, ""));

    assertThatThrownBy(() -> CommandLine.check(empties, Map.of()))
        .hasMessageStartingWith("the arguments and environment take");
  }

  @Test
  void oneMegabyteOfArgumentsIsRefusedAsTooLargeNotAtStart() {
    List<String> args = new ArrayList<>(Collections.nCopies(16, "x".repeat(64 * 1024)));

    assertThatThrownBy(() -> CommandLine.check(args, Map.of()))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("more than the 262144 (256 KiB)")
        .satisfies(e -> assertThat(((InvalidRunSpecException) e).hint()).hasValueSatisfying(
            h -> assertThat(h).contains("file")));
  }
}
