package io.tickscan.scanner;

import io.tickscan.codec.Addresses;
import io.tickscan.config.NodeConfig;
import io.tickscan.rules.RuleError;
import io.tickscan.rules.RuleLimits;
import io.tickscan.rules.RuleSet;
import io.tickscan.rules.RuleSetException;
import io.tickscan.scanner.RuleStore.VersionedRules;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's rule set in step with the cluster's, one instance per node.
 *
 * <ul>
 *   <li>At start it takes the cluster's current set from the {@link RuleStore} (or makes the configured one
 *   version 1 when the cluster has none); a node that cannot run the cluster's set does not start.</li>
 *   <li>A rules file sent on {@link Addresses#RULES_REPLACE} (node-local) is validated whole; if valid it is
 *   stored under the next version and published on {@link Addresses#RULES_UPDATE} to every member, else refused
 *   with its errors (one log line).</li>
 *   <li>A version higher than the one it holds, published by any member or found in the store by the periodic
 *   check (every {@value #SYNC_MS} ms, which also covers members that join later or come back after a split),
 *   is adopted and handed to this node's scanners on {@link Addresses#RULES_APPLY}.</li>
 *   <li>{@link Addresses#RULES_CURRENT} (node-local) answers the version this node's scanners run or will run
 *   at their next scan.</li>
 * </ul>
 *
 * <p>Config: {@code initial} (the rules file's JSON text, for a cluster that has none), {@code engine} and
 * {@code rules} (the settings the limits come from).
 */
public final class RulesVerticle extends VerticleBase {
    static final long SYNC_MS = 2_000;
    private static final int ERRORS_SHOWN = 100;
    private static final Logger LOG = LoggerFactory.getLogger(RulesVerticle.class);

    private final FailureLog failures = new FailureLog(LOG);
    private RuleStore store;
    private RuleLimits limits;
    private VersionedRules current;
    private long refusedVersion;
    private boolean syncing;

    @Override
    public Future<?> start() {
        store = new RuleStore(vertx);
        limits = NodeConfig.ruleLimits(config().getJsonObject("engine"), config().getJsonObject("rules"));
        String initial = config().getString("initial");
        try {
            RulesFile.parse(initial, limits);
        } catch (RuleSetException e) {
            return Future.failedFuture(new IllegalArgumentException("rules.file: invalid rules, " + e.summary(3)));
        }
        return store.current(initial)
                .recover(e -> Future.failedFuture(new IllegalStateException("the cluster's rule store did not "
                        + "answer: " + e.getMessage(), e)))
                .compose(cluster -> {
                    try {
                        RuleSet rules = RulesFile.parse(cluster.text(), limits);
                        current = cluster;
                        LOG.info("rules version {}: {} rules, {} enabled", cluster.version(), rules.rules().size(),
                                rules.enabledRules().size());
                    } catch (RuleSetException e) {
                        return Future.failedFuture(new IllegalStateException("the cluster runs rules version "
                                + cluster.version() + ", which this node's limits refuse: " + e.summary(3)));
                    }
                    vertx.setPeriodic(SYNC_MS, id -> sync());
                    return Future.all(
                            vertx.eventBus().<String>localConsumer(Addresses.RULES_REPLACE, this::replace).completion(),
                            vertx.eventBus().localConsumer(Addresses.RULES_CURRENT, m -> m.reply(current.toJson()))
                                    .completion(),
                            vertx.eventBus().<JsonObject>consumer(Addresses.RULES_UPDATE,
                                    m -> adopt(VersionedRules.fromJson(m.body()))).completion());
                });
    }

    private void replace(Message<String> message) {
        RuleSet rules;
        try {
            rules = RulesFile.parse(message.body(), limits);
        } catch (RuleSetException e) {
            LOG.warn("rule set refused, nothing applied: {}", e.summary(3));
            message.reply(new JsonObject().put("accepted", false).put("error_count", e.errors().size())
                    .put("errors", new JsonArray(e.errors().stream().limit(ERRORS_SHOWN).map(RuleError::toString)
                            .toList())));
            return;
        }
        store.replace(message.body()).onComplete(stored -> {
            if (stored.failed()) {
                message.fail(503, "the cluster's rule store did not answer (" + stored.cause().getMessage()
                        + "); nothing applied, try again");
                return;
            }
            VersionedRules next = stored.result();
            adopt(next);
            vertx.eventBus().publish(Addresses.RULES_UPDATE, next.toJson());
            message.reply(new JsonObject().put("accepted", true).put("version", next.version())
                    .put("rules", rules.rules().size()).put("enabled", rules.enabledRules().size()));
        });
    }

    private void sync() {
        if (syncing) {
            return;
        }
        syncing = true;
        store.current().onComplete(found -> {
            syncing = false;
            if (found.failed()) {
                failures.failed("reading the cluster's rule set", found.cause());
            } else if (found.result() != null) {
                adopt(found.result());
            }
        });
    }

    private void adopt(VersionedRules next) {
        if (next.version() <= current.version() || next.version() == refusedVersion) {
            return;
        }
        RuleSet rules;
        try {
            rules = RulesFile.parse(next.text(), limits);
        } catch (RuleSetException e) {
            refusedVersion = next.version();
            LOG.error("rules version {} refused by this node's limits, keeping version {}: {}", next.version(),
                    current.version(), e.summary(3));
            return;
        }
        current = next;
        vertx.eventBus().publish(Addresses.RULES_APPLY, next.toJson(), Addresses.local());
        LOG.info("rules version {}: {} rules, {} enabled", next.version(), rules.rules().size(),
                rules.enabledRules().size());
    }
}
