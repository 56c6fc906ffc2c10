package io.tickscan.codec;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * Every event-bus address of tickscan, with what travels on it, and the one place codecs are registered.
 *
 * <p>Each address is one of three kinds, said first in its Javadoc:
 * <ul>
 *   <li><b>node-local</b>: consumed with {@code localConsumer} and sent with {@link #local()} options, so that it
 *   is answered by the node that asked. A clustered {@code request} to an address that every node consumes is
 *   round-robined across the members: the answer comes from another node, and a dead peer makes it time out.
 *   Everything about this node (HTTP ingest, rules as this node runs them, status) is node-local.</li>
 *   <li><b>cluster-wide publish</b>: every node's consumers receive it (alerts, rule set versions).</li>
 *   <li><b>point-to-point</b>: exactly one consumer owns it ({@code part.<p>}).</li>
 * </ul>
 */
public final class Addresses {
    /**
     * Point-to-point. Prefix of the partition addresses {@code part.<p>}: {@code request} of a {@link TickBatch}
     * ({@link TickBatchCodec}) to the one scanner instance that owns partition p, which replies with an empty
     * body once the ticks are applied. The consumers are local to their node until partitions move between
     * nodes (the cluster issue), so today each node's sources feed its own scanners.
     */
    public static final String PARTITION_PREFIX = "part.";

    /**
     * Cluster-wide publish of an {@link Alert} ({@link AlertCodec}) to every node's alert log and web side: a
     * browser connected to any node sees every alert.
     */
    public static final String ALERTS = "alerts";

    /**
     * Cluster-wide publish of a new rule set version, {@code {"version": n, "text": "<rules file>"}}
     * ({@code JsonObject}), to every node's rules verticle, which adopts it if its version is higher than the one
     * it holds. Every member thus converges on the highest version, whatever the order of arrival.
     */
    public static final String RULES_UPDATE = "rules.update";

    /**
     * Node-local publish of the rule set this node adopted, {@code {"version": n, "text": "<rules file>"}}
     * ({@code JsonObject}), to this node's scanner instances, which swap it in at their next scan.
     */
    public static final String RULES_APPLY = "rules.apply";

    /**
     * Node-local {@code request} of a rules file as JSON text ({@code String}) to validate and make the cluster's;
     * the reply is {@code {"accepted": true, "version": n, "rules": r, "enabled": e}}, or
     * {@code {"accepted": false, "error_count": n, "errors": [{"index", "rule_id", "place", "message", "text"}]}};
     * it fails with code 504 and a message for
     * the client when the cluster does not confirm the store in time.
     */
    public static final String RULES_REPLACE = "rules.replace";

    /**
     * Node-local {@code request} of an edit of one rule ({@code JsonObject}): {@code {"op": "create" | "replace" |
     * "delete" | "enable" | "disable", "id": "<rule id>", "rule": {...}}} ({@code rule} for create and replace).
     * The reply is as for {@link #RULES_REPLACE}; it fails with 404 (no such rule), 409 (create of an existing id)
     * or 504.
     */
    public static final String RULES_EDIT = "rules.edit";

    /**
     * Node-local {@code request} of a rules file, or of one rule as a JSON object, as text ({@code String}); the
     * reply is {@code {"valid": true, "rules": n}} or {@code {"valid": false, "error_count": n, "errors": [...]}}.
     * Nothing is stored.
     */
    public static final String RULES_VALIDATE = "rules.validate";

    /**
     * Node-local {@code request} with no body; the reply is {@code {"version": n, "text": "<rules file>",
     * "rules": [...]}} ({@code JsonObject}; {@code rules} is the file's array of rules): the rule set this node's
     * scanners run or will run at their next scan.
     */
    public static final String RULES_CURRENT = "rules.current";

    /**
     * Node-local {@code request} of an HTTP body of ticks ({@code Buffer}) with the header {@code format}
     * ({@code ndjson} or {@code csv}); the reply is a JSON object counting accepted and rejected rows by reason.
     */
    public static final String INGEST_HTTP = "ingest.http";

    /**
     * Node-local publish with no body: the scanners of this node start scanning (they wait, so that a source can
     * first lay down history, such as the simulator's backfill, without its ticks being late).
     */
    public static final String SCANNERS_START = "scanners.start";

    /**
     * Node-local {@code request} with no body; the reply is this node's status as a JSON object:
     * {@code {"node", "ready", "why"?, "clustered", "members", "scanners", "partitions", "partitions_owned"}}.
     */
    public static final String NODE_STATUS = "node.status";

    /**
     * Cluster-wide publish of a query to every scanner instance of every member ({@code JsonObject}):
     * {@code {"id": "<query id>", "kind": "matches" | "preview" | "symbol", "reply_to": "<address>", ...}}. Each
     * instance sends its own answer, {@code {"id", "instance", ...}}, to {@code reply_to}, a cluster-wide consumer
     * of the web instance that asked; the asker waits for the instances of {@link #SCANNER_REGISTRY} until its
     * deadline and names those that did not answer. The fields of each kind are in {@code docs/web-api.md}.
     */
    public static final String SCANNER_QUERY = "scanner.query";

    /**
     * Not an address: the cluster-wide map (Vert.x shared data, Hazelcast when clustered) of the live scanner
     * instances, instance id to {@code {"instance", "node", "member", "partitions"}}, that a query over every
     * instance expects an answer from. An instance puts itself in when it starts and removes itself when it
     * stops; entries of members that left are ignored by readers.
     */
    public static final String SCANNER_REGISTRY = "tickscan.scanners";

    /**
     * Not an address: the cluster-wide map of each node's ownership summary, node id to {@code {"member",
     * "standing", "partitions_owned", "ownership_epoch", "last_rebalance"}}, put by the node's ownership verticle
     * every few seconds with a time to live, so that every node's status shows every member's.
     */
    public static final String NODE_SUMMARIES = "tickscan.nodes";


    /**
     * Not an address: the node-local shared-data map ({@code LocalMap<String, JsonObject>}) where each component
     * that the node depends on (a Kafka source, Redis) puts {@code {"ok": bool, "why"?: "...", "essential"?: bool}}
     * under its name, and keeps it current; {@code /health/ready} and {@code /api/status} read it. The node is not
     * ready while an essential component (the default) is not ok; one with {@code "essential": false} (Redis,
     * without which the node keeps scanning and publishing) is shown but does not make it not-ready.
     */
    public static final String HEALTH_MAP = "tickscan.health";

    /**
     * Node-local publish of an {@link Alert} a scanner found, before it is deduplicated, stored and published
     * cluster-wide on {@link #ALERTS} by this node's alert pipeline.
     */
    public static final String ALERTS_FOUND = "alerts.found";

    /**
     * Node-local {@code request} ({@code JsonObject}) to the alert stream in Redis, answered only when Redis is
     * configured (otherwise, and while Redis is away, the request fails and the web side answers from its own
     * history). Two kinds:
     * <ul>
     *   <li>{@code {"before": "<entry id>" | null, "count": n}}: the reply is {@code {"entries": [{"id": "<entry
     *   id>", "alert": {...}}, ...]}}, at most n (1 to 1000) entries, newest first, older than {@code before}
     *   when given;</li>
     *   <li>{@code {"after": "<alert id>", "count": n}} (n at most 10,000): the reply is {@code {"found": false}} when that alert is
     *   not in the stream, else {@code {"found": true, "alerts": [...], "more": bool}}: at most n alerts that
     *   came after it, oldest first, and whether more followed.</li>
     * </ul>
     * Alerts are in the JSON form of {@link AlertJson}.
     */
    public static final String ALERTS_HISTORY = "alerts.history";

    private Addresses() {
    }

    /**
     * Node-local shared map of what the node's Kafka source has acknowledged: topic to a JSON object
     * {@code {"<kafka partition>": next}}, where every tick of that partition below {@code next} was taken by its
     * scanner. Scanners raise the offsets they checkpoint to it.
     */
    public static final String KAFKA_ACKNOWLEDGED = "tickscan.kafka.acknowledged";

    /**
     * Cluster-wide publish by every Kafka source, every few milliseconds, of how far it has delivered the ticks of
     * the partitions it reads: JSON {@code {"topic": t, "partitions": n (the topic's partition count), "marks":
     * {"<kafka partition>": ts}, "source": the source's id, "readings": {"<kafka partition>": [reading number,
     * offset it began at]}}}, where every tick of that partition stamped before {@code ts} has been taken by its
     * owner. Scanners hold a scan until every partition of their topic is marked past its second; a partition
     * restored from its checkpoint catches up by the marks of the readings that began after it asked to be read
     * again ({@link #KAFKA_REREAD}).
     */
    public static final String KAFKA_WATERMARKS = "tickscan.kafka.watermarks";

    /**
     * Cluster-wide publish by a scanner that took a partition from its checkpoint (its owner died, or was fenced):
     * JSON {@code {"topic": t, "from": {"<kafka partition>": offset}}}, the offsets after those of the checkpoint.
     * The Kafka source that reads one of those Kafka partitions past its offset reads it again from there, so the
     * ticks the lost owner took after its checkpoint reach the partition again (the others skip them as taken);
     * every source that reads one of them begins a new reading of it, reported with its marks.
     */
    public static final String KAFKA_REREAD = "tickscan.kafka.reread";

    /** How long a request to a node-local address waits for its answer. */
    public static final long LOCAL_TIMEOUT_MS = 10_000;

    /** New options for a message to a node-local address: delivered on this node only, answered within 10 s. */
    public static DeliveryOptions local() {
        return new DeliveryOptions().setLocalOnly(true).setSendTimeout(LOCAL_TIMEOUT_MS);
    }

    /**
     * Node-local publish of the cluster's ownership table, by this node's ownership verticle to its scanner
     * instances, each time the live scanner instances change: JSON {@code {"epoch": n, "owners": [instance of
     * partition 0, ...], "previous": [...] or null, "live": [instance, ...]}}; or, when the node is fenced off the
     * cluster, {@code {"epoch": n, "fenced": true}} (every partition is given up unwritten). The epoch only grows
     * on a node.
     */
    public static final String OWNERSHIP = "scanners.ownership";

    /**
     * Node-local publish by the ownership verticle's self-check to its scanner instances: JSON
     * {@code {"partitions": [p, ...], "checked_at_ns": t}}, partitions whose consumer this node should have and the
     * cluster does not know of (lost in a split-brain merge), found by the check that began reading the cluster's
     * registrations at {@code t} ({@link System#nanoTime}): the instance that holds one, with a consumer registered
     * before {@code t}, registers it again (a take under way then is not a lost registration).
     */
    public static final String OWNERSHIP_REPAIR = "scanners.ownership.repair";

    /**
     * Node-local publish by a scanner instance once it has applied an ownership table, or given a partition up
     * because a later owner took it (epoch null): JSON {@code {"instance", "epoch", "partitions"}} (how many it
     * owns now).
     */
    public static final String OWNERSHIP_APPLIED = "scanners.ownership.applied";

    /** Node-local shared map of the node's ownership summary, for its status ({@code "summary"}: JSON). */
    public static final String OWNERSHIP_MAP = "tickscan.ownership";

    /**
     * The point-to-point address where scanner {@code instance} takes the state of a partition handed to it by
     * its previous owner: a {@code Buffer}, partition (int32), the state's length (int32), the state
     * ({@code PartitionStates}), then the partition's Kafka offsets as JSON.
     */
    public static String handover(String instance) {
        return "scanner.handover." + instance;
    }

    /** The address of partition {@code p}. */
    public static String partition(int p) {
        return PARTITION_PREFIX + p;
    }

    /** Registers every tickscan codec as the default codec of its type; call once per Vert.x instance. */
    public static void registerCodecs(EventBus eventBus) {
        eventBus.registerDefaultCodec(TickBatch.class, new TickBatchCodec());
        eventBus.registerDefaultCodec(Alert.class, new AlertCodec());
    }
}
