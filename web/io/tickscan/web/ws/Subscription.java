package io.tickscan.web.ws;

import io.tickscan.codec.Alert;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Set;

/** What a client wants: the rules and the symbols it names, null for all of them. */
record Subscription(Set<String> rules, Set<String> symbols) {
    /** Every rule, every symbol: a new connection's subscription. */
    static final Subscription ALL = new Subscription(null, null);

    boolean passes(Alert alert) {
        return (rules == null || rules.contains(alert.ruleId()))
                && (symbols == null || symbols.contains(alert.symbol()));
    }

    /** {@code {"rules": [...] | null, "symbols": [...] | null}}, in the order the client gave. */
    JsonObject toJson() {
        return new JsonObject().put("rules", rules == null ? null : new JsonArray(new ArrayList<>(rules)))
                .put("symbols", symbols == null ? null : new JsonArray(new ArrayList<>(symbols)));
    }
}
