package dev.ftguard.agent.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.agent.process.ProcessView.Origin;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TgidMapTest {
  static Image image(int tgid) {
    return new Image(tgid, 1, 1, 1, 1, 0, Origin.FORK, "", List.of());
  }

  @Test
  void behavesLikeAHashMapUnderRandomOperations() {
    TgidMap map = new TgidMap(16);
    Map<Integer, Image> model = new HashMap<>();
    Random r = new Random(42);
    for (int i = 0; i < 200_000; i++) {
      int key = r.nextInt(i < 100_000 ? 5_000 : 300); // grow, then shrink and reuse slots
      switch (r.nextInt(3)) {
        case 0 -> {
          Image im = image(key);
          map.put(key, im);
          model.put(key, im);
        }
        case 1 -> {
          map.remove(key);
          model.remove(key);
        }
        default -> assertThat(map.get(key)).isSameAs(model.get(key));
      }
      assertThat(map.size()).isEqualTo(model.size());
    }
    for (int k = 0; k < 5_000; k++) {
      assertThat(map.get(k)).isSameAs(model.get(k));
    }
    assertThat(map.get(-1)).isNull();
    assertThat(map.get(1L << 40)).isNull();
  }
}
