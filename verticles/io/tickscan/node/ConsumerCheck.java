package io.tickscan.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.codec.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ownership self-check: compares the cluster's event-bus registrations of every partition address
 * ({@link Addresses#partition}) with the ownership table, where each partition has exactly one consumer, on the
 * member of its owner. A fault is confirmed once it has held for two checks in a row with no change of the table
 * between them (so that partitions moving are not mistaken for faults); it is then repaired where this node can, at
 * each check while it lasts, but logged and counted ({@code ownership_repairs{kind}}) once: again only after a
 * check found it gone (or the table changed) and it came back. A fault that lasts, say through a split, would
 * otherwise flood the log and the counter every {@value OwnershipVerticle#CONSUMER_CHECK_MS} ms. The kinds:
 * <ul>
 *   <li>{@code stale_consumer}: a consumer of a member that is no longer in the cluster (its crash left it behind,
 *   and sends to it are lost): removed.</li>
 *   <li>{@code unowned}: no consumer at all; when its owner is on this node (the cluster lost the registration, for
 *   example in a split-brain merge), its scanner registers it again ({@link Addresses#OWNERSHIP_REPAIR}) if it
 *   holds the partition with a consumer registered before the check (not while it is still taking it); an owner on
 *   another member repairs it there.</li>
 *   <li>{@code extra_consumer}: a consumer on a live member other than the owner's, or a second one: reported (the
 *   member that holds it gives it up at its next change of table).</li>
 * </ul>
 */
final class ConsumerCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerCheck.class);

    private final Vertx vertx;
    private final ClusterManager clusterManager;
    private final MeterRegistry registry;
    private final Map<String, Counter> repairs = new HashMap<>();
    /** What the previous check found, by kind: acted on only when found again. */
    private Map<String, Set<Integer>> before = Map.of();
    /** The faults confirmed at the previous check, by kind: not logged nor counted again while they last. */
    private Map<String, Set<Integer>> confirmed = Map.of();
    private int unowned;

    ConsumerCheck(Vertx vertx, ClusterManager clusterManager, MeterRegistry registry) {
        this.vertx = vertx;
        this.clusterManager = clusterManager;
        this.registry = registry;
    }

    /** Forgets what the previous check found: the table changed since. */
    void tableChanged() {
        before = Map.of();
    }

    /** Partitions without a consumer at the last check (as this node sees the cluster). */
    int unowned() {
        return unowned;
    }

    /**
     * Checks every partition address against the table.
     *
     * @param owners     the owner instance of each partition
     * @param memberOf   the member of each live instance
     * @param members    the members of the cluster now
     * @param local      this node's instances
     */
    Future<Void> check(String[] owners, Map<String, String> memberOf, Set<String> members, Set<String> local) {
        long readAt = System.nanoTime();
        List<Future<List<RegistrationInfo>>> reads = new ArrayList<>();
        for (int p = 0; p < owners.length; p++) {
            Promise<List<RegistrationInfo>> read = Promise.promise();
            clusterManager.getRegistrations(Addresses.partition(p), read);
            reads.add(read.future());
        }
        return Future.all(reads).map(all -> {
            Map<String, Set<Integer>> found = new HashMap<>();
            Map<Integer, List<RegistrationInfo>> stale = new HashMap<>();
            int none = 0;
            for (int p = 0; p < owners.length; p++) {
                List<RegistrationInfo> live = new ArrayList<>();
                for (RegistrationInfo registration : all.<List<RegistrationInfo>>resultAt(p)) {
                    if (registration.localOnly()) {
                        continue;
                    }
                    if (members.contains(registration.nodeId())) {
                        live.add(registration);
                    } else {
                        stale.computeIfAbsent(p, q -> new ArrayList<>()).add(registration);
                        found.computeIfAbsent("stale_consumer", k -> new TreeSet<>()).add(p);
                    }
                }
                String ownerMember = memberOf.get(owners[p]);
                if (live.isEmpty()) {
                    none++;
                    found.computeIfAbsent("unowned", k -> new TreeSet<>()).add(p);
                } else if (live.size() > 1 || !live.get(0).nodeId().equals(ownerMember)) {
                    found.computeIfAbsent("extra_consumer", k -> new TreeSet<>()).add(p);
                }
            }
            unowned = none;
            Map<String, Set<Integer>> lasting = select(found, before, true);
            Map<String, Set<Integer>> fresh = select(lasting, confirmed, false);
            before = found;
            confirmed = lasting;
            repair(lasting, stale, owners, local, readAt);
            report(fresh, owners, local);
            return null;
        });
    }

    /**
     * By kind, the partitions of {@code faults} that are also in {@code other} ({@code inOther}) or that are not;
     * kinds left without any are left out.
     */
    private static Map<String, Set<Integer>> select(Map<String, Set<Integer>> faults,
                                                    Map<String, Set<Integer>> other, boolean inOther) {
        Map<String, Set<Integer>> selected = new HashMap<>();
        faults.forEach((kind, partitions) -> {
            Set<Integer> kept = new TreeSet<>(partitions);
            Set<Integer> of = other.getOrDefault(kind, Set.of());
            kept.removeIf(p -> of.contains(p) != inOther);
            if (!kept.isEmpty()) {
                selected.put(kind, kept);
            }
        });
        return selected;
    }

    /**
     * Repairs the confirmed faults this node can: removes the stale consumers, and asks this node's scanners to
     * register the unowned partitions they own again (those whose consumer they registered before {@code readAt},
     * when this check began reading).
     */
    private void repair(Map<String, Set<Integer>> lasting, Map<Integer, List<RegistrationInfo>> stale,
                        String[] owners, Set<String> local, long readAt) {
        lasting.getOrDefault("stale_consumer", Set.of()).forEach(p -> stale.getOrDefault(p, List.of())
                .forEach(registration -> clusterManager.removeRegistration(Addresses.partition(p), registration,
                        Promise.promise())));
        Set<Integer> ownedHere = ownedHere(lasting.getOrDefault("unowned", Set.of()), owners, local);
        if (!ownedHere.isEmpty()) {
            vertx.eventBus().publish(Addresses.OWNERSHIP_REPAIR, new JsonObject()
                    .put("partitions", new JsonArray(new ArrayList<>(ownedHere))).put("checked_at_ns", readAt),
                    Addresses.local());
        }
    }

    /** Counts and logs the faults confirmed for the first time since they were last found gone. */
    private void report(Map<String, Set<Integer>> fresh, String[] owners, Set<String> local) {
        fresh.forEach((kind, partitions) -> {
            repairs.computeIfAbsent(kind, k -> Counter.builder("ownership_repairs").description("Faults the "
                    + "ownership self-check confirmed in the partitions' consumers, each once while it lasts, by kind "
                    + "(repaired where it can)")
                    .tag("kind", k).register(registry)).increment(partitions.size());
            switch (kind) {
                case "stale_consumer" -> LOG.warn("ownership self-check: {} partitions had a consumer of a member "
                        + "that left the cluster ({}): removed", partitions.size(), partitions);
                case "unowned" -> LOG.warn("ownership self-check: {} partitions have no consumer in the cluster "
                        + "({}); {} of them are owned on this node, whose scanners register them again if they hold "
                        + "them", partitions.size(), partitions, ownedHere(partitions, owners, local).size());
                default -> LOG.warn("ownership self-check: {} partitions have a consumer on a member that does not "
                        + "own them, or two ({})", partitions.size(), partitions);
            }
        });
    }

    /** Those of {@code partitions} whose owner is one of this node's instances. */
    private static Set<Integer> ownedHere(Set<Integer> partitions, String[] owners, Set<String> local) {
        Set<Integer> here = new TreeSet<>();
        partitions.forEach(p -> {
            if (local.contains(owners[p])) {
                here.add(p);
            }
        });
        return here;
    }
}
