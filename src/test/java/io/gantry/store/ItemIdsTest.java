package io.gantry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ItemIdsTest {
  @Test
  void readsTheTopLevelIdOnly() {
    assertThat(
            ItemIds.of(
                "{\"content\":[{\"id\":\"nested\"}],\"meta\":{\"id\":\"x\"},\"id\":\"msg_1\"}"))
        .isEqualTo("msg_1");
    assertThat(ItemIds.of("{\"type\":\"message\"}")).isNull();
    assertThat(ItemIds.of("{\"id\":null}")).isNull();
  }

  @Test
  void rejectsWhatIsNotAnObject() {
    assertThatThrownBy(() -> ItemIds.of("[]")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ItemIds.of("{\"id\":")).isInstanceOf(IllegalArgumentException.class);
  }
}
