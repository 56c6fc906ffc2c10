package io.tickscan.web.query;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What one query over every scanner instance collected.
 *
 * @param answers the answers, in order of arrival
 * @param missing the expected instances that did not answer by the deadline, sorted
 */
record Gathered(List<JsonObject> answers, List<String> missing) {

    /** Answers that carry no {@code "error"} (an instance that failed to answer counts as missing). */
    List<JsonObject> usable() {
        return answers.stream().filter(a -> !a.containsKey("error")).toList();
    }

    /**
     * Adds {@code "answered"} (the usable answers) and {@code "missing"} (the instances that did not answer in time
     * or failed to) to {@code body}.
     */
    JsonObject account(JsonObject body) {
        List<String> failed = answers.stream().filter(a -> a.containsKey("error"))
                .map(a -> a.getString("instance")).toList();
        JsonArray absent = new JsonArray();
        missing.forEach(absent::add);
        failed.forEach(absent::add);
        return body.put("answered", usable().size()).put("missing", absent);
    }
}
