package dev.profileservice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Reconciler} on the three shapes of data: records, classes with fields, maps. */
class ReconcilerTest {
    private final Codec codec = new Codec();
    private final Reconciler reconciler = codec.reconciler();

    record Stats(Integer hp, Integer mana) {}

    record Hero(String name, Stats stats, List<String> tags) {}

    public static class Bag {
        public Integer slots = 10;
        public List<String> items = new ArrayList<>();
    }

    public static class Player {
        public int coins;
        public String title = "newbie";
        public Bag bag = new Bag();
    }

    @Test
    void aRecordGetsACopyWithItsNullComponentsFilledRecursively() {
        Hero stored = new Hero("ann", new Stats(7, null), null);
        Hero template = new Hero("?", new Stats(100, 50), List.of("new"));
        Hero filled = reconciler.reconcile(stored, template, codec.dataType(template));
        assertThat(filled).isEqualTo(new Hero("ann", new Stats(7, 50), List.of("new")));
    }

    @Test
    void aClassIsFilledInPlaceAndKeepsItsValuesAndItsNestedObjects() {
        Player stored = new Player();
        stored.coins = 5;
        stored.title = null;
        Bag bag = stored.bag;
        bag.slots = null;
        bag.items.add("sword");
        Player filled = reconciler.reconcile(stored, new Player(), codec.dataType(new Player()));
        assertThat(filled).isSameAs(stored);
        assertThat(filled.title).isEqualTo("newbie");
        assertThat(filled.coins).isEqualTo(5);
        assertThat(filled.bag).as("the nested object is filled, not replaced").isSameAs(bag);
        assertThat(bag.slots).isEqualTo(10);
        assertThat(bag.items).containsExactly("sword");
    }

    @Test
    void aMapGetsItsAbsentKeysAndNothingElse() {
        Map<String, Object> stored = new LinkedHashMap<>(Map.of("coins", 5, "inv", new LinkedHashMap<>(Map.of())));
        Map<String, Object> template = Map.of("coins", 0, "inv", Map.of("slots", 10), "name", "?");
        Map<String, Object> filled = reconciler.reconcile(stored, template, codec.dataType(template));
        assertThat(filled).isSameAs(stored).containsEntry("coins", 5).containsEntry("name", "?");
        assertThat(filled.get("inv")).isEqualTo(Map.of("slots", 10));
    }

    @Test
    void nothingMissingChangesNothing() {
        Player stored = new Player();
        assertThat(reconciler.reconcile(stored, new Player(), codec.dataType(new Player())))
                .isSameAs(stored);
    }
}
