package io.tickscan.scanner;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Edits of one rule in a rules file's text: create, replace, delete, enable, disable. Each is a pure function
 * from the stored text to the next one, applied by {@link RuleStore#update} inside its compare-and-set, so two
 * members editing different rules at once both land. The result is validated by the caller like any rule set.
 */
final class RuleEdits {
    private RuleEdits() {
    }

    /** An edit that cannot apply: 404 (no such rule), 409 (the id exists) or 400 (the edit itself is wrong). */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /**
     * Applies {@code edit}, {@code {"op": "create" | "replace" | "delete" | "enable" | "disable", "id": "...",
     * "rule": {...}}}, to {@code text}, a rules file (an array of rules or {@code {"rules": [...]}}). The file
     * keeps its form; a created rule goes last, a replaced one keeps its place.
     *
     * @throws Refused when the rule is missing (or present, for create) or the edit is malformed
     */
    static String apply(String text, JsonObject edit) {
        Object tree = Json.decodeValue(text);
        JsonArray rules = RulesFile.rulesOf(tree);
        String op = edit.getString("op");
        String id = edit.getString("id");
        int at = indexOf(rules, id);
        switch (op) {
            case "create" -> {
                if (at >= 0) {
                    throw new Refused(409, "a rule with id '" + id + "' exists; replace it with PUT /api/rules/" + id);
                }
                rules.add(edit.getJsonObject("rule"));
            }
            case "replace" -> rules.set(found(at, id), edit.getJsonObject("rule"));
            case "delete" -> rules.remove(found(at, id));
            case "enable", "disable" -> rules.getJsonObject(found(at, id)).put("enabled", op.equals("enable"));
            default -> throw new Refused(400, "unknown edit '" + op + "'");
        }
        return tree instanceof JsonObject file ? file.encodePrettily() : rules.encodePrettily();
    }

    private static int found(int at, String id) {
        if (at < 0) {
            throw new Refused(404, "no rule with id '" + id + "'");
        }
        return at;
    }

    private static int indexOf(JsonArray rules, String id) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.getValue(i) instanceof JsonObject rule && id.equals(rule.getValue("id"))) {
                return i;
            }
        }
        return -1;
    }
}
