package io.weft.agent.lease;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.MacAddress;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KnownLeasesTest {
    private static Lease lease(String node, String subnet, int version) {
        return new Lease(node, IpPrefix.parse(subnet), IpPrefix.parseAddress("192.0.2." + (version % 250 + 1)),
                MacAddress.parse("0e:00:00:00:00:01"), Instant.ofEpochSecond(version));
    }

    @Test
    void followsTheWatchBetweenLists() {
        KnownLeases known = new KnownLeases();
        known.refresh(() -> List.of(lease("a", "10.42.0.0/24", 1), lease("b", "10.42.1.0/24", 1)));

        known.apply(new LeaseEvent.Updated(lease("c", "10.42.2.0/24", 1)));
        known.apply(new LeaseEvent.Updated(lease("a", "10.42.0.0/24", 2)));
        known.apply(new LeaseEvent.Removed("b", IpPrefix.parse("10.42.1.0/24")));

        assertThat(known.leases()).containsExactly(lease("a", "10.42.0.0/24", 2), lease("c", "10.42.2.0/24", 1));
    }

    @Test
    void aRemovalOfTheOldHolderLeavesASubnetThatChangedHands() {
        KnownLeases known = new KnownLeases();
        known.refresh(() -> List.of(lease("a", "10.42.0.0/24", 1)));

        known.apply(new LeaseEvent.Updated(lease("b", "10.42.0.0/24", 2)));
        known.apply(new LeaseEvent.Removed("a", IpPrefix.parse("10.42.0.0/24")));

        assertThat(known.leases()).containsExactly(lease("b", "10.42.0.0/24", 2));
    }

    @Test
    void aListReplacesWhatEventsLeftAndEventsDuringItAreKept() {
        KnownLeases known = new KnownLeases();
        known.apply(new LeaseEvent.Updated(lease("stale", "10.42.9.0/24", 1))); // e.g. a node whose CIDR moved, unannounced

        List<Lease> listed = known.refresh(() -> {
            known.apply(new LeaseEvent.Updated(lease("new", "10.42.5.0/24", 1))); // written after the list read its file
            known.apply(new LeaseEvent.Removed("a", IpPrefix.parse("10.42.0.0/24")));
            return List.of(lease("a", "10.42.0.0/24", 1), lease("b", "10.42.1.0/24", 1));
        });

        assertThat(listed).containsExactly(lease("b", "10.42.1.0/24", 1), lease("new", "10.42.5.0/24", 1));
        assertThat(known.leases()).isEqualTo(listed);
    }

    @Test
    void aFailedListKeepsWhatWasKnownAndTheEventsMeanwhile() {
        KnownLeases known = new KnownLeases();
        known.refresh(() -> List.of(lease("a", "10.42.0.0/24", 1)));

        assertThatThrownBy(() -> known.refresh(() -> {
            known.apply(new LeaseEvent.Updated(lease("b", "10.42.1.0/24", 1)));
            throw new IllegalStateException("etcd unreachable");
        })).hasMessage("etcd unreachable");
        known.apply(new LeaseEvent.Updated(lease("c", "10.42.2.0/24", 1)));

        assertThat(known.leases()).containsExactly(lease("a", "10.42.0.0/24", 1), lease("b", "10.42.1.0/24", 1),
                lease("c", "10.42.2.0/24", 1));
    }

    /**
     * A store changing at random, a watch reporting each change in order after it happened, and lists at
     * random moments, each seeing the store as it was at some point since the refresh began (the store may
     * be ahead of the events delivered): after the last event, what is known is what the store holds.
     */
    @Test
    void convergesOnTheStoreWhereverAListFallsAmongTheEvents() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 500; round++) {
            Map<IpPrefix, Lease> store = new HashMap<>();
            List<Map<IpPrefix, Lease>> states = new ArrayList<>(); // states.get(i): the store after event i
            List<LeaseEvent> events = new ArrayList<>();
            for (int change = 0; change < 30; change++) {
                String subnet = "10.42." + random.nextInt(6) + ".0/24";
                IpPrefix prefix = IpPrefix.parse(subnet);
                Lease held = store.get(prefix);
                if (held != null && random.nextBoolean()) {
                    store.remove(prefix);
                    events.add(new LeaseEvent.Removed(held.node(), prefix));
                } else {
                    if (held != null && random.nextBoolean()) { // changes hands: the old holder is removed first
                        store.remove(prefix);
                        events.add(new LeaseEvent.Removed(held.node(), prefix));
                        states.add(Map.copyOf(store));
                    }
                    Lease lease = lease("n" + random.nextInt(4), subnet, change);
                    store.put(prefix, lease);
                    events.add(new LeaseEvent.Updated(lease));
                }
                states.add(Map.copyOf(store));
            }
            KnownLeases known = new KnownLeases();
            int listAt = -1;
            for (int next = 0; next < events.size(); ) {
                if (random.nextInt(5) == 0) {
                    int from = next;
                    int delivered = random.nextInt(events.size() - from + 1); // during the list
                    int seen = listAt = from + random.nextInt(events.size() - from + 1); // events the store had behind it
                    known.refresh(() -> {
                        for (int i = from; i < from + delivered; i++) {
                            known.apply(events.get(i));
                        }
                        return seen == 0 ? List.of() : List.copyOf(states.get(seen - 1).values());
                    });
                    next += delivered;
                } else {
                    known.apply(events.get(next++));
                }
            }
            assertThat(known.leases()).as("seed %d, round %d, last list at event %d", seed, round, listAt)
                    .containsExactlyInAnyOrderElementsOf(store.values());
        }
    }
}
