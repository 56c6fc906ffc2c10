package io.tickscan.web.ws;

import io.tickscan.codec.JsonText;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A message from a websocket client, validated: what it says, or a {@link Bad} saying what is wrong and where. */
sealed interface ClientMessage {
    /** The most ids a {@code rules} or {@code symbols} list may hold. */
    int MAX_ITEMS = 1000;
    /** The longest id, symbol, metric or alert id, in characters. */
    int MAX_TEXT = 256;
    /** The largest {@code limit} of a screen. */
    int MAX_LIMIT = 1000;

    /** {@code {"type": "subscribe", "rules"?, "symbols"?}}. */
    record Subscribe(Subscription subscription) implements ClientMessage {
    }

    /** {@code {"type": "resume", "after"}}. */
    record Resume(String after) implements ClientMessage {
    }

    /** {@code {"type": "screen", "rule", "sort"?, "order"?, "limit"?}}; {@code query} is what the screener takes. */
    record Screen(String rule, JsonObject query) implements ClientMessage {
    }

    /** {@code {"type": "unscreen"}}. */
    record Unscreen() implements ClientMessage {
    }

    /** A message that cannot be taken; the message says what was wrong, for the client. */
    final class Bad extends Exception {
        Bad(String message) {
            super(message, null, false, false);
        }
    }

    /** Reads one text message of at most {@code maxBytes} UTF-8 bytes. */
    static ClientMessage parse(String text, int maxBytes) throws Bad {
        int bytes = text.length() > maxBytes ? text.length() : text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw new Bad("the message has " + (text.length() > maxBytes ? "more than " + maxBytes : bytes)
                    + " bytes; at most " + maxBytes + " (http.ws.max_message_bytes) are read");
        }
        Object value;
        try {
            value = Json.decodeValue(text);
        } catch (DecodeException e) {
            throw new Bad("not JSON" + JsonText.problem(e));
        }
        if (!(value instanceof JsonObject message)) {
            throw new Bad("a message must be a JSON object, found " + kind(value));
        }
        Object type = message.getValue("type");
        if (!(type instanceof String name)) {
            throw new Bad("type must be one of \"subscribe\", \"resume\", \"screen\", \"unscreen\"; found "
                    + (type == null ? "none" : kind(type)));
        }
        return switch (name) {
            case "subscribe" -> {
                only(message, name, "rules", "symbols");
                yield new Subscribe(new Subscription(ids(message, name, "rules"), ids(message, name, "symbols")));
            }
            case "resume" -> {
                only(message, name, "after");
                yield new Resume(text(message, name, "after", true));
            }
            case "screen" -> {
                only(message, name, "rule", "sort", "order", "limit");
                String rule = text(message, name, "rule", true);
                String sort = text(message, name, "sort", false);
                String order = text(message, name, "order", false);
                if (order != null && !order.equals("asc") && !order.equals("desc")) {
                    throw new Bad("screen: order must be \"asc\" or \"desc\", found \"" + cut(order) + "\"");
                }
                Object limit = message.getValue("limit");
                if (limit != null && !(limit instanceof Integer n && n >= 1 && n <= MAX_LIMIT)) {
                    throw new Bad("screen: limit must be a whole number from 1 to " + MAX_LIMIT + ", found "
                            + Json.encode(limit));
                }
                yield new Screen(rule, new JsonObject().put("rule", rule).put("sort", sort).put("order", order)
                        .put("limit", limit));
            }
            case "unscreen" -> {
                only(message, name);
                yield new Unscreen();
            }
            default -> throw new Bad("type must be one of \"subscribe\", \"resume\", \"screen\", \"unscreen\"; "
                    + "found \"" + cut(name) + "\"");
        };
    }

    /** The first line of Jackson's complaint and the place it names: {@code ... at line 1, column 7}. */
    private static void only(JsonObject message, String type, String... fields) throws Bad {
        List<String> known = List.of(fields);
        for (String field : message.fieldNames()) {
            if (!field.equals("type") && !known.contains(field)) {
                throw new Bad(type + ": unknown field \"" + cut(field) + "\""
                        + (known.isEmpty() ? "; it takes none" : "; it takes " + String.join(", ", known)));
            }
        }
    }

    /** A list of ids, or null when absent (or null): all. */
    private static Set<String> ids(JsonObject message, String type, String field) throws Bad {
        Object value = message.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonArray list)) {
            throw new Bad(type + ": " + field + " must be a list of strings or absent, found " + kind(value));
        }
        if (list.size() > MAX_ITEMS) {
            throw new Bad(type + ": " + field + " holds " + list.size() + " items; at most " + MAX_ITEMS);
        }
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Object item = list.getValue(i);
            if (!(item instanceof String id) || id.isEmpty() || id.length() > MAX_TEXT) {
                throw new Bad(type + ": " + field + "[" + i + "] must be a string of 1 to " + MAX_TEXT
                        + " characters, found " + kind(item));
            }
            ids.add(id);
        }
        return Collections.unmodifiableSet(ids);
    }

    private static String text(JsonObject message, String type, String field, boolean required) throws Bad {
        Object value = message.getValue(field);
        if (value == null && !required) {
            return null;
        }
        if (!(value instanceof String s) || s.isEmpty() || s.length() > MAX_TEXT) {
            throw new Bad(type + ": " + field + " must be a string of 1 to " + MAX_TEXT + " characters, found "
                    + (value == null ? "none" : kind(value)));
        }
        return s;
    }

    /** A short description of a JSON value for an error message. */
    private static String kind(Object value) {
        if (value instanceof JsonObject) {
            return "an object";
        }
        if (value instanceof JsonArray) {
            return "a list";
        }
        if (value instanceof String s) {
            return s.length() > MAX_TEXT ? "a string of " + s.length() + " characters" : "\"" + cut(s) + "\"";
        }
        return String.valueOf(value);
    }

    private static String cut(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
