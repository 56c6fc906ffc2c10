package io.tickscan.codec;

import io.vertx.core.eventbus.EventBus;

/** Every event-bus address of tickscan, with what travels on it, and the one place codecs are registered. */
public final class Addresses {
    /**
     * Prefix of the partition addresses {@code part.<p>}: {@code send}/{@code request} of a {@link TickBatch}
     * ({@link TickBatchCodec}) to the one scanner instance that owns partition p, which replies with an empty
     * body once the ticks are applied.
     */
    public static final String PARTITION_PREFIX = "part.";

    /** {@code publish} of an {@link AlertMessage} ({@link AlertMessageCodec}) to every node's web side. */
    public static final String ALERTS = "alerts";

    /**
     * {@code publish} of a validated rules file, as JSON text ({@code String}), to every scanner instance, which
     * swaps to it at its next scan.
     */
    public static final String RULES_UPDATE = "rules.update";

    /**
     * {@code request} of a rules file as JSON text ({@code String}) to validate and publish; the reply is a
     * JSON object {@code {"accepted": true, "rules": n}} or {@code {"accepted": false, "errors": [...]}}.
     */
    public static final String RULES_REPLACE = "rules.replace";

    /** {@code request} with no body; the reply is the current rules file as JSON text ({@code String}). */
    public static final String RULES_CURRENT = "rules.current";

    /**
     * {@code request} of an HTTP body of ticks ({@code Buffer}, NDJSON or CSV) with the header
     * {@code content-type}; the reply is a JSON object counting accepted and rejected rows by reason.
     */
    public static final String INGEST_HTTP = "ingest.http";

    /**
     * {@code publish} with no body: the scanners of this node start scanning (they wait, so that a source can
     * first lay down history, such as the simulator's backfill, without its ticks being late).
     */
    public static final String SCANNERS_START = "scanners.start";

    /** {@code request} with no body; the reply is a JSON object {@code {"ready": bool, "why": "..."}}. */
    public static final String NODE_READINESS = "node.readiness";

    private Addresses() {
    }

    /** The address of partition {@code p}. */
    public static String partition(int p) {
        return PARTITION_PREFIX + p;
    }

    /** Registers every tickscan codec as the default codec of its type; call once per Vert.x instance. */
    public static void registerCodecs(EventBus eventBus) {
        eventBus.registerDefaultCodec(TickBatch.class, new TickBatchCodec());
        eventBus.registerDefaultCodec(AlertMessage.class, new AlertMessageCodec());
    }
}
