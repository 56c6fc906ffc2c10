package io.tickscan.scanner;

import io.tickscan.codec.Addresses;
import io.tickscan.scanner.RulesFile;
import io.tickscan.rules.RuleError;
import io.tickscan.rules.RuleSet;
import io.tickscan.rules.RuleSetException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's current rule set and replaces it on request: a rules file sent on
 * {@link Addresses#RULES_REPLACE} is validated whole; if valid it is published on {@link Addresses#RULES_UPDATE}
 * for every scanner to swap in at its next scan, else refused with every error.
 *
 * <p>Config: {@code rules} (the rules file's JSON text at start), {@code history_minutes}.
 */
public final class RulesVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(RulesVerticle.class);
    private String current;
    private int history;

    @Override
    public Future<?> start() {
        current = config().getString("rules");
        history = config().getInteger("history_minutes");
        return Future.all(
                vertx.eventBus().<String>consumer(Addresses.RULES_REPLACE, this::replace).completion(),
                vertx.eventBus().consumer(Addresses.RULES_CURRENT, m -> m.reply(current)).completion());
    }

    private void replace(Message<String> message) {
        try {
            RuleSet rules = RulesFile.parse(message.body(), io.tickscan.rules.RuleLimits.withHistory(history));
            current = message.body();
            vertx.eventBus().publish(Addresses.RULES_UPDATE, current);
            LOG.info("rule set replaced: {} rules, {} enabled", rules.rules().size(), rules.enabledRules().size());
            message.reply(new JsonObject().put("accepted", true).put("rules", rules.rules().size())
                    .put("enabled", rules.enabledRules().size()));
        } catch (RuleSetException e) {
            LOG.warn("rule set refused: {}", e.getMessage());
            message.reply(new JsonObject().put("accepted", false).put("errors", new JsonArray(
                    e.errors().stream().map(RuleError::toString).toList())));
        }
    }
}
