package io.tickscan.web;

import io.vertx.core.buffer.Buffer;
import java.util.Locale;

/**
 * The format of a body of ticks: from its {@code content-type} when it names one tickscan reads, else (no type,
 * curl's default {@code application/x-www-form-urlencoded}, {@code text/plain}, {@code application/octet-stream})
 * from the body itself: a JSON object first is NDJSON, a first line with commas is a CSV header.
 */
enum BodyFormat {
    /** One JSON object a line. */
    NDJSON,
    /** CSV with a header line. */
    CSV;

    /** The media types read as they say. */
    static final String READABLE = "application/x-ndjson, application/json or text/csv";

    /** Thrown when the format cannot be read or told; the message is for the client. */
    static final class Unreadable extends Exception {
        final int status;

        Unreadable(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** The format of {@code body} sent with {@code contentType} (may be null). */
    static BodyFormat of(String contentType, Buffer body) throws Unreadable {
        String type = mediaType(contentType);
        switch (type) {
            case "application/x-ndjson", "application/json", "application/jsonl", "application/x-jsonlines":
                return NDJSON;
            case "text/csv":
                return CSV;
            case "", "application/x-www-form-urlencoded", "text/plain", "application/octet-stream":
                return sniff(body);
            default:
                throw new Unreadable(415, "content-type " + Echo.cut(type) + " cannot be read: send " + READABLE);
        }
    }

    /** True when {@code contentType} is one a JSON document may be sent with (the types of {@link #of}). */
    static boolean mayHoldJson(String contentType) {
        return switch (mediaType(contentType)) {
            case "application/json", "", "application/x-www-form-urlencoded", "text/plain",
                 "application/octet-stream" -> true;
            default -> false;
        };
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static BodyFormat sniff(Buffer body) throws Unreadable {
        int i = 0;
        while (i < body.length() && Character.isWhitespace(body.getByte(i))) {
            i++;
        }
        if (i < body.length() && body.getByte(i) == '{') {
            return NDJSON;
        }
        for (int j = i; j < body.length() && body.getByte(j) != '\n'; j++) {
            if (body.getByte(j) == ',') {
                return CSV;
            }
        }
        throw new Unreadable(400, "cannot tell the format: the body starts with neither a JSON object (NDJSON) nor "
                + "a CSV header line; send content-type " + READABLE);
    }
}
