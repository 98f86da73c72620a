package io.gantry.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DirectivesTest {

  @Test
  void parsesSeveralDirectivesInOneMessage() {
    Directives d =
        Directives.parse(
            "please sim:tokens=7 sim:reason=2\nsim:delay=5 sim:tool=auto sim:tools=3 sim:bad-args"
                + " sim:fail=slow-first:40 sim:fail=cut-after:4");
    assertThat(d.tokens()).isEqualTo(7);
    assertThat(d.reason()).isEqualTo(2);
    assertThat(d.delayMs()).isEqualTo(5);
    assertThat(d.tool()).isEqualTo("auto");
    assertThat(d.toolCount()).isEqualTo(3);
    assertThat(d.badArgs()).isTrue();
    assertThat(d.slowFirstMs()).isEqualTo(40);
    assertThat(d.fault()).isEqualTo(new Directives.StreamFault(Directives.StreamFault.Kind.CUT, 4));
    assertThat(Directives.parse("sim:fail=429").failStatus()).isEqualTo(429);
    assertThat(Directives.parse("sim:fail-first=2:503").failFirst())
        .isEqualTo(new Directives.FailFirst(2, 503));
    assertThatThrownBy(() -> Directives.parse("sim:fail-first=2"))
        .hasMessageContaining("fail-first=N:CODE");
    assertThat(Directives.parse("sim:echo sim:history").echo()).isTrue();
    assertThat(Directives.parse("no directives here")).isEqualTo(Directives.NONE);
  }

  @Test
  void rejectsUnknownOrMalformedDirectivesByName() {
    assertThatThrownBy(() -> Directives.parse("sim:token=3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sim:token=3")
        .hasMessageContaining("known:");
    assertThatThrownBy(() -> Directives.parse("sim:fail=200")).hasMessageContaining("400..599");
    assertThatThrownBy(() -> Directives.parse("sim:fail=explode:1"))
        .hasMessageContaining("explode");
    assertThatThrownBy(() -> Directives.parse("sim:tokens=-1")).hasMessageContaining("negative");
    assertThatThrownBy(() -> Directives.parse("sim:echo=1")).hasMessageContaining("no value");
  }

  @Test
  void textTokensSplitPreservesTheTextExactly() {
    String text = "  a  b\n\nc d ";
    assertThat(String.join("", TextTokens.split(text))).isEqualTo(text);
    assertThat(TextTokens.split("one two")).containsExactly("one", " two");
    assertThat(
            ReplyPlanner.applyStop(TextTokens.split("alpha beta gamma"), java.util.List.of("ta g")))
        .containsExactly("alpha", " be");
  }
}
