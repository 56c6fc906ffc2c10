package io.tickscan.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.routing.PartitionOwners;
import io.tickscan.scanner.OwnershipLease;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.redis.client.Redis;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes which scanner instance of the cluster owns each partition and tells this node's scanners. The live
 * instances are the entries of {@link Addresses#SCANNER_REGISTRY} whose member is in the cluster (a node's once
 * all of them are there), and this node's own (its only ones on a standalone node); the table is
 * {@link PartitionOwners} over them, the same on every member that sees the same instances. It is computed again
 * every {@value #CHECK_MS} ms and at once when a member joins or leaves; when it changes, the epoch grows and the table goes to the node's scanners on {@link Addresses#OWNERSHIP}, with the
 * previous one, so that a scanner knows whether a partition it gains comes from a live owner (which hands its
 * state over) or from a dead one (whose state it reads from the Redis checkpoint). Each change is logged with the
 * partitions that moved, and summed up in {@link Addresses#OWNERSHIP_MAP} for the node's status.
 *
 * <p>The registry is mended at each refresh ({@link #mend}): entries of members that left are removed, and this
 * node's own are put back when lost.
 *
 * <p>Each look at the cluster first judges the node's standing ({@link ClusterStanding}) and renews or withdraws
 * the node's {@link OwnershipLease}: a node that was frozen and finds itself removed is fenced (its scanners give
 * up their partitions unwritten, {@code {"fenced": true}} on {@link Addresses#OWNERSHIP}), and computes no table
 * until it stands as a member again. With Redis, each look also renews the node's mark of life there while it
 * stands as a member, and reads the other nodes' ({@link MemberMarks}): the witness that tells a node fenced alone
 * whether its peers live on without it. Every {@value #CONSUMER_CHECK_MS} ms it runs the self-check of the partitions'
 * consumers ({@link ConsumerCheck}) and exchanges the nodes' summaries ({@link Addresses#NODE_SUMMARIES}).
 *
 * <p>Config: {@code partitions} (P), {@code node} (this node's id) and {@code instances} (its scanner instance
 * ids).
 */
public final class OwnershipVerticle extends VerticleBase {
    static final long CHECK_MS = 500;
    /** How often the consumers are checked against the table ({@link ConsumerCheck}). */
    static final long CONSUMER_CHECK_MS = 3_000;
    /** The Hazelcast member attribute in which vertx-hazelcast keeps a member's Vert.x node id. */
    private static final String VERTX_NODE_ID = "__vertx.nodeId";
    private static final Logger LOG = LoggerFactory.getLogger(OwnershipVerticle.class);

    private final ClusterManager clusterManager;
    private boolean lookingForRegistrations;
    private final OwnershipLease lease;
    private final MeterRegistry meters;
    private final Redis redis;
    /** The nodes' marks in Redis, or null without Redis or a cluster. */
    private MemberMarks marks;
    private boolean askingMarks;
    /** The other nodes alive in Redis that this node, fenced alone, was last logged waiting for. */
    private Set<String> waitedFor;
    private ConsumerCheck consumerCheck;
    private boolean checking;
    private long checkTimer = -1;
    private final ClusterStanding standing = new ClusterStanding();
    private int partitions;
    private Set<String> local;
    private Set<String> live = Set.of();
    private String[] owners;
    private long epoch;
    private String node;
    /** Every member this node has seen in the cluster: only theirs are removed from the registry when they leave. */
    private final Set<String> seen = new TreeSet<>();
    private final Map<String, Integer> ownedBy = new HashMap<>();
    /** The scanner registry's entries at the last look. */
    private Map<String, JsonObject> registered = Map.of();
    /** Every node's ownership summary at the last exchange ({@link Addresses#NODE_SUMMARIES}), by node id. */
    private Map<String, JsonObject> summaries = Map.of();
    private int lastMoved;
    private String lastAt;
    private long timer;
    private boolean refreshing;
    private UUID listener;

    /**
     * @param clusterManager the node's cluster manager, or null on a standalone node
     * @param lease          the node's ownership lease, renewed at each look at the cluster while the node stands as
     *                       a member ({@link ClusterStanding})
     * @param meters         where the self-check's counts go
     * @param redis          the node's Redis client, or null without Redis: a fenced node alone then takes its
     *                       peers for dead after {@value ClusterStanding#ALONE_MS} ms
     */
    public OwnershipVerticle(ClusterManager clusterManager, OwnershipLease lease, MeterRegistry meters,
            Redis redis) {
        this.clusterManager = clusterManager;
        this.lease = lease;
        this.meters = meters;
        this.redis = redis;
    }

    @Override
    public Future<?> start() {
        partitions = config().getInteger("partitions");
        node = config().getString("node");
        local = new TreeSet<>();
        config().getJsonArray("instances").forEach(i -> local.add((String) i));
        if (redis != null && clusterManager != null) {
            marks = new MemberMarks(redis, node);
        }
        summary(0, null);
        vertx.eventBus().<JsonObject>localConsumer(Addresses.OWNERSHIP_APPLIED, m -> {
            ownedBy.put(m.body().getString("instance"), m.body().getInteger("partitions"));
            summary(lastMoved, lastAt);
        });
        timer = vertx.setPeriodic(CHECK_MS, id -> refresh());
        if (clusterManager != null) {
            consumerCheck = new ConsumerCheck(vertx, clusterManager, meters);
            checkTimer = vertx.setPeriodic(CONSUMER_CHECK_MS, id -> {
                checkConsumers();
                exchangeSummaries();
            });
        }
        if (clusterManager instanceof HazelcastClusterManager hazelcast) {
            io.vertx.core.Context context = vertx.getOrCreateContext();
            listener = hazelcast.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
                @Override
                public void memberAdded(MembershipEvent event) {
                    context.runOnContext(v -> refresh());
                }

                @Override
                public void memberRemoved(MembershipEvent event) {
                    context.runOnContext(v -> refresh());
                }
            });
        }
        refresh();
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        if (checkTimer >= 0) {
            vertx.cancelTimer(checkTimer);
        }
        // the scanners stop after this verticle and hand their partitions over under the standing it leaves
        lease.keepStanding();
        if (listener != null && clusterManager instanceof HazelcastClusterManager hazelcast) {
            try {
                hazelcast.getHazelcastInstance().getCluster().removeMembershipListener(listener);
            } catch (RuntimeException stopped) {
                // the member has left already
            }
        }
        return Future.succeededFuture();
    }

    /**
     * Looks at the cluster: judges whether the node still stands as a member ({@link #judge}); then, while it does,
     * reads the live instances and publishes the table when they changed.
     */
    private void refresh() {
        if (!judge() || refreshing) {
            return;
        }
        refreshing = true;
        Future<AsyncMap<String, JsonObject>> registry;
        try {
            registry = vertx.sharedData().getAsyncMap(Addresses.SCANNER_REGISTRY);
        } catch (RuntimeException clusterGone) { // this member left or was cut off: nothing to read
            registry = Future.failedFuture(clusterGone);
        }
        registry.compose(map -> map.entries().onSuccess(entries -> mend(map, entries))).onComplete(read -> {
            refreshing = false;
            if (read.succeeded() && standing.state() == ClusterStanding.State.MEMBER) {
                Set<String> members = members();
                // a node's instances count once all of them are in the registry, and no longer once one has left:
                // a node comes and goes whole, in one change of the table
                Map<String, Set<String>> byNode = new HashMap<>();
                Map<String, Integer> expected = new HashMap<>();
                read.result().forEach((instance, entry) -> {
                    if (members != null && members.contains(entry.getString("member"))) {
                        byNode.computeIfAbsent(entry.getString("node"), n -> new TreeSet<>()).add(instance);
                        expected.put(entry.getString("node"), entry.getInteger("node_instances", 1));
                    }
                });
                Set<String> instances = new TreeSet<>();
                byNode.forEach((node, ids) -> {
                    if (ids.size() >= expected.get(node)) {
                        instances.addAll(ids);
                    }
                });
                // this node's own instances are live while it runs, even before their entries are seen
                instances.addAll(local);
                registered = read.result();
                if (!instances.equals(live)) {
                    publish(instances);
                } else {
                    summary(lastMoved, lastAt);
                }
            }
        });
    }

    /**
     * Puts this node's ownership summary in {@link Addresses#NODE_SUMMARIES} (living three exchanges, so that a
     * dead node's goes) and reads every node's, for the members of the status.
     */
    private void exchangeSummaries() {
        JsonObject summary = vertx.sharedData().<String, JsonObject>getLocalMap(Addresses.OWNERSHIP_MAP)
                .get("summary");
        if (summary == null) {
            return;
        }
        JsonObject mine = summary.copy();
        mine.remove("members");
        mine.put("member", clusterManager.getNodeId());
        try {
            vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.NODE_SUMMARIES)
                    .compose(map -> map.put(node, mine, 3 * CONSUMER_CHECK_MS).compose(v -> map.entries()))
                    .onSuccess(all -> summaries = all);
        } catch (RuntimeException clusterGone) {
            // this member has left: nothing to exchange
        }
    }

    /** Runs the self-check of the partitions' consumers while the node is a member with a table. */
    private void checkConsumers() {
        Set<String> members = members();
        if (checking || owners == null || members == null || standing.state() != ClusterStanding.State.MEMBER) {
            return;
        }
        Map<String, String> memberOf = new HashMap<>();
        registered.forEach((instance, entry) -> memberOf.put(instance, entry.getString("member")));
        String me = clusterManager.getNodeId();
        local.forEach(instance -> memberOf.put(instance, me));
        checking = true;
        consumerCheck.check(owners, memberOf, members, local).onComplete(done -> {
            checking = false;
            summary(lastMoved, lastAt);
        });
    }

    /**
     * Takes this look at the cluster into the node's standing ({@link ClusterStanding}): renews the lease while the
     * node is a member and withdraws it otherwise; once fenced, tells the scanners to give every partition up
     * without writing or handing it over. Then asks the witness ({@link #askMarks}). True while the node stands as
     * a member.
     */
    private boolean judge() {
        Set<String> members = members();
        long nowMs = System.nanoTime() / 1_000_000;
        ClusterStanding.State before = standing.state();
        ClusterStanding.State now = standing.look(nowMs, members);
        if (now == ClusterStanding.State.MEMBER) {
            lease.renew();
        } else {
            lease.withdraw();
        }
        int seen = members == null ? 1 : members.size();
        if (now != before) {
            switch (now) {
                case SUSPECT -> LOG.warn("node {} did not look at the cluster for more than {} ms (stopped or "
                        + "starved): it neither scans nor writes until the cluster says whether it removed the node "
                        + "meanwhile", node, OwnershipLease.VALID_MS);
                case FENCED -> {
                    LOG.warn("node {} is fenced: it sees {} members, fewer than before its freeze; it gives up "
                            + "its partitions without writing or handing them over, and takes its share again once "
                            + "it is back in the cluster, {}", node, seen, marks == null
                            ? "or after " + ClusterStanding.ALONE_MS + " ms alone (no Redis to tell whether its "
                            + "peers live)" : "or alone once Redis shows no other node alive");
                    waitedFor = null;
                    fence();
                }
                case MEMBER -> LOG.info("node {} stands as a member again ({} members{}); it takes its share", node,
                        seen, before == ClusterStanding.State.FENCED && seen == 1 ? whyAlone(nowMs) : "");
            }
            summary(lastMoved, lastAt);
        }
        if (now == ClusterStanding.State.FENCED && seen == 1) {
            logWaitForMerge(nowMs);
        }
        askMarks(nowMs, now == ClusterStanding.State.MEMBER);
        lookForPeersRegistrations(members);
        return now == ClusterStanding.State.MEMBER;
    }

    /**
     * While fenced with peers, looks whether this member's view of the event-bus registrations has the other
     * members' again (one of {@link Addresses#ALERTS}, which every node's web verticles consume): after a
     * split-brain merge they come a few seconds after the membership, and alerts published before would reach only
     * this node's subscribers. One look at a time.
     */
    private void lookForPeersRegistrations(Set<String> members) {
        if (lookingForRegistrations || clusterManager == null || members == null
                || !standing.awaitsPeersRegistrations()) {
            return;
        }
        lookingForRegistrations = true;
        Promise<List<RegistrationInfo>> read = Promise.promise();
        clusterManager.getRegistrations(Addresses.ALERTS, read);
        read.future().onComplete(done -> {
            lookingForRegistrations = false;
            String self = clusterManager.getNodeId();
            standing.peersRegistered(done.succeeded() && done.result().stream().anyMatch(r -> !r.localOnly()
                    && !r.nodeId().equals(self) && members.contains(r.nodeId())));
        });
    }

    /**
     * Renews this node's mark in Redis while it stands as a {@code member} and passes the other nodes alive there
     * to its standing ({@link MemberMarks}); one exchange at a time, none without Redis. A failed one passes
     * nothing: the standing then finds the witness silent.
     */
    private void askMarks(long askedMs, boolean member) {
        if (marks == null || askingMarks) {
            return;
        }
        askingMarks = true;
        marks.exchange(member).onComplete(answer -> {
            askingMarks = false;
            if (answer.succeeded()) {
                standing.witnessed(askedMs, answer.result());
            }
        });
    }

    /** Logs, once for each set of them, the other nodes alive in Redis that this node, fenced alone, waits for. */
    private void logWaitForMerge(long nowMs) {
        Set<String> others = standing.othersAlive(nowMs);
        if (others != null && !others.isEmpty() && !others.equals(waitedFor)) {
            LOG.warn("node {} is alone but nodes {} are alive in Redis: it waits for the merge (it would own "
                    + "their partitions too)", node, others);
            waitedFor = others;
        }
    }

    /** Why a node fenced alone stands as a member again, for the log. */
    private String whyAlone(long nowMs) {
        if (standing.othersAlive(nowMs) != null) {
            return ", alone: no other node is alive in Redis";
        }
        return ", alone for " + ClusterStanding.ALONE_MS + " ms: " + (marks == null ? "no Redis is configured"
                : "Redis did not answer") + " to tell whether its peers live";
    }

    /** Tells the scanners to give up every partition; the next table is computed afresh, with no previous one. */
    private void fence() {
        owners = null;
        live = Set.of();
        epoch++;
        vertx.eventBus().publish(Addresses.OWNERSHIP, new JsonObject().put("epoch", epoch).put("fenced", true),
                Addresses.local());
    }

    /**
     * Keeps the registry true: removes the entries of members that were in the cluster and have left (a crashed
     * member cannot remove its own), and puts back this node's own entries when they are missing or carry another
     * member id than this member's now (lost, or written before a split-brain merge gave it a new id).
     */
    private void mend(AsyncMap<String, JsonObject> map, Map<String, JsonObject> entries) {
        Set<String> members = members();
        if (members == null) {
            return;
        }
        seen.addAll(members);
        entries.forEach((instance, entry) -> {
            String member = entry.getString("member");
            if (!members.contains(member) && seen.contains(member) && !local.contains(instance)) {
                map.remove(instance);
            }
        });
        String me = clusterManager.getNodeId();
        for (String instance : local) {
            JsonObject entry = entries.get(instance);
            if (entry == null || !me.equals(entry.getString("member"))) {
                LOG.warn("scanner {} was {} in the scanner registry: put back", instance,
                        entry == null ? "missing" : "under member " + entry.getString("member"));
                map.put(instance, new JsonObject().put("instance", instance).put("node", node).put("member", me)
                        .put("node_instances", local.size()));
            }
        }
    }

    /** The ids of the cluster's members, or null on a standalone node (whose instances are its own). */
    private Set<String> members() {
        if (clusterManager == null) {
            return null;
        }
        try {
            return new TreeSet<>(clusterManager.getNodes());
        } catch (RuntimeException stopped) {
            return Set.of();
        }
    }

    private void publish(Set<String> instances) {
        long started = System.nanoTime();
        PartitionOwners table = PartitionOwners.of(partitions, instances);
        String[] next = new String[partitions];
        int moved = 0;
        int mine = 0;
        for (int p = 0; p < partitions; p++) {
            next[p] = table.ownerOf(p);
            if (owners != null && !next[p].equals(owners[p])) {
                moved++;
            }
            if (local.contains(next[p])) {
                mine++;
            }
        }
        String[] previous = owners;
        owners = next;
        if (consumerCheck != null) {
            consumerCheck.tableChanged();
        }
        live = instances;
        epoch++;
        vertx.eventBus().publish(Addresses.OWNERSHIP, new JsonObject().put("epoch", epoch)
                .put("owners", new JsonArray(Arrays.asList(next)))
                .put("previous", previous == null ? null : new JsonArray(Arrays.asList(previous)))
                .put("live", new JsonArray(new ArrayList<>(instances))), Addresses.local());
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        LOG.info("ownership epoch {}: {} scanner instances live, {} of {} partitions given to this node, {} moved",
                epoch, instances.size(), mine, partitions, moved);
        lastMoved = moved;
        lastAt = Instant.now().toString();
        summary(lastMoved, lastAt);
    }

    /**
     * The node's summary: its standing, the partitions its scanners hold now (not the table's), the last change,
     * and the cluster's members.
     */
    private void summary(int moved, String at) {
        int owned = ownedBy.values().stream().mapToInt(Integer::intValue).sum();
        JsonObject summary = new JsonObject().put("epoch", epoch)
                .put("standing", standing.state().name().toLowerCase(Locale.ROOT))
                .put("partitions_owned", owned)
                .put("partitions_unowned", owners == null ? partitions
                        : consumerCheck == null ? 0 : consumerCheck.unowned()).put("members", members(owners));
        if (at != null) {
            summary.put("last_rebalance", new JsonObject().put("at", at).put("moved", moved));
        }
        vertx.sharedData().<String, JsonObject>getLocalMap(Addresses.OWNERSHIP_MAP).put("summary", summary);
    }

    /**
     * Each member of the cluster as this node sees it: its id, address, node id and scanner instances (from the
     * registry), and how many partitions the table gives them; empty on a standalone node.
     */
    private JsonArray members(String[] table) {
        JsonArray list = new JsonArray();
        if (!(clusterManager instanceof HazelcastClusterManager hazelcast)) {
            return list;
        }
        Map<String, Integer> byInstance = new HashMap<>();
        if (table != null) {
            for (String owner : table) {
                byInstance.merge(owner, 1, Integer::sum);
            }
        }
        try {
            String me = clusterManager.getNodeId();
            for (Member member : hazelcast.getHazelcastInstance().getCluster().getMembers()) {
                // Vert.x's node id, which the registry holds, is a member attribute (not the Hazelcast member uuid)
                String id = member.getAttribute(VERTX_NODE_ID);
                Set<String> instances = new TreeSet<>();
                String nodeId = null;
                for (Map.Entry<String, JsonObject> entry : registered.entrySet()) {
                    if (id.equals(entry.getValue().getString("member"))) {
                        instances.add(entry.getKey());
                        nodeId = entry.getValue().getString("node");
                    }
                }
                JsonObject row = new JsonObject().put("id", id).put("address", member.getAddress().getHost() + ":"
                                + member.getAddress().getPort()).put("node", nodeId).put("self", id.equals(me))
                        .put("instances", new JsonArray(new ArrayList<>(instances)))
                        .put("partitions", instances.stream().mapToInt(i -> byInstance.getOrDefault(i, 0)).sum());
                // what the member says of itself, a few seconds old at most
                JsonObject told = nodeId == null ? null : summaries.get(nodeId);
                if (told != null && id.equals(told.getString("member"))) {
                    row.put("standing", told.getString("standing")).put("partitions_owned",
                            told.getInteger("partitions_owned")).put("ownership_epoch", told.getLong("epoch"));
                    if (told.containsKey("last_rebalance")) {
                        row.put("last_rebalance", told.getJsonObject("last_rebalance"));
                    }
                }
                list.add(row);
            }
        } catch (RuntimeException stopped) {
            // the member has left: no members to show
        }
        return list;
    }
}
