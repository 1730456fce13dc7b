package dev.profileservice.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.ProfileService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KeyFinder}: a prefix search in pages, whatever the page size, over a SQLite store. */
class KeyFinderTest {

    @Test
    void pagesThroughTheKeysOfAPrefixAndNoOthers(@TempDir Path dir) {
        String uri = "sqlite:" + dir.resolve("k.db");
        List<String> keys = new ArrayList<>(List.of("A", "Player", "Player_1", "Player_10", "Player_2", "Q"));
        for (int i = 0; i < 30; i++) {
            keys.add(String.format("Player_x%02d", i));
        }
        try (ProfileService service = ProfileService.builder().backend(uri).build()) {
            var store = service.getProfileStore("S", new LinkedHashMap<String, Object>());
            for (String key : keys) {
                store.globalUpdateProfile(key, u -> u.addActiveUpdate(Map.of("n", 1))); // a record, cheaply
            }
        }
        try (AdminSession session = AdminSession.open(uri, "S")) {
            List<String> all = new ArrayList<>();
            String after = null;
            int pages = 0;
            do {
                KeyFinder.Page page = KeyFinder.withPrefix(session, "Player", after, 7);
                assertThat(page.keys()).hasSizeLessThanOrEqualTo(7);
                all.addAll(page.keys());
                after = page.next();
                pages++;
            } while (after != null);
            assertThat(all)
                    .containsExactlyElementsOf(keys.stream()
                            .filter(k -> k.startsWith("Player"))
                            .sorted()
                            .toList());
            assertThat(pages).isEqualTo(5); // 34 keys, 7 a page
            assertThat(KeyFinder.withPrefix(session, "Player_1", null, 50).keys())
                    .containsExactly("Player_1", "Player_10");
            assertThat(KeyFinder.withPrefix(session, "", null, 50).keys()).hasSize(keys.size());
            assertThat(KeyFinder.withPrefix(session, "Z", null, 50).keys()).isEmpty();
            assertThatThrownBy(() -> KeyFinder.withPrefix(session, "", null, 0)).isInstanceOf(BadInputException.class);
        }
    }
}
