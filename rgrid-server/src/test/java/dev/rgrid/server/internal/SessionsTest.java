package dev.rgrid.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.account.AccountId;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionsTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final Sessions sessions = new Sessions(Duration.ofHours(1), 3, now::get);
  private final AccountId alice = AccountId.of("acct_01JD5Z8Q6W3M0T7R2YB4K9N1XC");

  @Test
  void aSessionIsFoundByItsRandomIdUntilItExpires() {
    Sessions.Session s = sessions.open("rgk_key", alice);
    assertThat(s.id()).hasSizeGreaterThanOrEqualTo(43).isNotEqualTo(s.csrfToken());
    assertThat(sessions.open("rgk_key", alice).id()).isNotEqualTo(s.id());
    assertThat(sessions.find(s.id())).contains(s);
    now.addAndGet(Duration.ofMinutes(59).toNanos());
    assertThat(sessions.find(s.id())).isPresent();
    now.addAndGet(Duration.ofMinutes(1).toNanos());
    assertThat(sessions.find(s.id())).isEmpty();
  }

  @Test
  void signingOutEndsTheSessionAndUnknownIdsFindNothing() {
    Sessions.Session s = sessions.open("rgk_key", alice);
    sessions.close(s.id());
    assertThat(sessions.find(s.id())).isEmpty();
    assertThat(sessions.find(null)).isEmpty();
    assertThat(sessions.find("")).isEmpty();
    sessions.close(null);
  }

  @Test
  void aFullServerForgetsTheOldestSessionAndExpiredOnesFirst() {
    Sessions.Session first = sessions.open("k1", alice);
    Sessions.Session second = sessions.open("k2", alice);
    Sessions.Session third = sessions.open("k3", alice);
    Sessions.Session fourth = sessions.open("k4", alice);
    assertThat(sessions.find(first.id())).isEmpty();
    assertThat(sessions.find(second.id())).isPresent();
    assertThat(sessions.size()).isEqualTo(3);
    now.addAndGet(Duration.ofHours(2).toNanos());
    sessions.open("k5", alice);
    assertThat(sessions.size()).isEqualTo(1);
    assertThat(sessions.find(third.id())).isEmpty();
    assertThat(sessions.find(fourth.id())).isEmpty();
  }

  @Test
  void theCsrfTokenMatchesOnlyItself() {
    Sessions.Session s = sessions.open("rgk_key", alice);
    assertThat(s.csrfMatches(s.csrfToken())).isTrue();
    assertThat(s.csrfMatches(null)).isFalse();
    assertThat(s.csrfMatches("")).isFalse();
    assertThat(s.csrfMatches(s.csrfToken() + "x")).isFalse();
    assertThat(s.csrfMatches(s.id())).isFalse();
  }

  @Test
  void aSessionShownInALogShowsNoSecret() {
    Sessions.Session s = sessions.open("rgk_secret_key", alice);
    assertThat(s.toString()).contains(alice.value()).doesNotContain("rgk_secret_key")
        .doesNotContain(s.id()).doesNotContain(s.csrfToken());
  }

  @Test
  void refusesANonPositiveLifetimeOrSize() {
    assertThatThrownBy(() -> new Sessions(Duration.ZERO, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Sessions(Duration.ofHours(1), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
