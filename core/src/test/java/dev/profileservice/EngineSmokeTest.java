package dev.profileservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Fast end-to-end checks of the engine on the memory backend; the full suite lives in the testkit. */
class EngineSmokeTest {

    public static class PlayerData {
        public int coins;
        public List<String> items = new ArrayList<>();
    }

    private static ProfileService service(String store) {
        return ProfileService.builder()
                .backend("memory:" + store)
                .placeId("lobby")
                .autoSavePeriod(Duration.ofMillis(200))
                .lease(Duration.ofSeconds(3))
                .forceLoadTimeout(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(50))
                .build();
    }

    @Test
    void loadEditReleaseThenViewAndReload() {
        String name = UUID.randomUUID().toString();
        try (ProfileService a = service(name)) {
            ProfileStore<PlayerData> store = a.getProfileStore("PlayerData", new PlayerData());
            Profile<PlayerData> p = store.loadProfile("p1").orElseThrow();
            assertThat(p.isActive()).isTrue();
            assertThat(p.getMetaData().getSessionLoadCount()).isEqualTo(1);
            p.edit(d -> {
                d.coins += 5;
                d.items.add("sword");
            });
            p.setMetaTag("tag", 1);
            assertThatThrownBy(() -> store.loadProfile("p1")).isInstanceOf(IllegalStateException.class);
            p.release();
            assertThat(p.isActive()).isFalse();
            Profile<PlayerData> v = store.viewProfile("p1").orElseThrow();
            assertThat(v.getData().coins).isEqualTo(5);
            assertThat(v.getMetaTag("tag")).isEqualTo(1);
            assertThat(store.viewProfile("never")).isEmpty();
            Profile<PlayerData> again = store.loadProfile("p1").orElseThrow();
            assertThat(again.getData().items).containsExactly("sword");
            assertThat(again.getMetaData().getSessionLoadCount()).isEqualTo(2);
        }
    }

    @Test
    void forceLoadHandsOverFromLiveOwnerAndGiftsArrive() {
        String name = UUID.randomUUID().toString();
        try (ProfileService a = service(name);
                ProfileService b = service(name)) {
            ProfileStore<PlayerData> sa = a.getProfileStore("PlayerData", new PlayerData());
            ProfileStore<PlayerData> sb = b.getProfileStore("PlayerData", new PlayerData());
            Profile<PlayerData> pa = sa.loadProfile("p").orElseThrow();
            AtomicBoolean released = new AtomicBoolean();
            pa.listenToRelease(() -> released.set(true));
            List<Long> gifts = new CopyOnWriteArrayList<>();
            pa.getGlobalUpdates()
                    .listenToNewActiveUpdate((id, data) -> pa.getGlobalUpdates().lockActiveUpdate(id));
            pa.getGlobalUpdates().listenToNewLockedUpdate((id, data) -> {
                // the safe pattern: clear and apply in one edit, so they are saved together or not at all
                pa.edit(d -> {
                    pa.getGlobalUpdates().clearLockedUpdate(id);
                    d.coins += ((Number) data.get("amount")).intValue();
                });
                gifts.add(id);
            });
            sb.globalUpdateProfile("p", u -> u.addActiveUpdate(Map.of("amount", 100)));
            await().atMost(Duration.ofSeconds(5)).until(() -> gifts.size() == 1);
            Profile<PlayerData> pb = sb.loadProfile("p").orElseThrow();
            assertThat(released).isTrue();
            assertThat(pa.isActive()).isFalse();
            assertThat(pb.getData().coins).isEqualTo(100);
            assertThat(pb.getGlobalUpdates().getActiveUpdates()).isEmpty();
            assertThat(pb.getGlobalUpdates().getLockedUpdates()).isEmpty();
        }
    }
}
