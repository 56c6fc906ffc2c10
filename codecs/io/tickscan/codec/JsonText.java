package io.tickscan.codec;

import io.vertx.core.json.DecodeException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What is wrong with a text that is not JSON, said the same way by every edge that reads JSON (rules, REST). */
public final class JsonText {
    private static final Pattern LOCATION = Pattern.compile("line: (\\d+), column: (\\d+)");

    private JsonText() {
    }

    /**
     * Jackson's message without its source excerpts, led by the place when known:
     * {@code  at line 3, column 7: Unexpected character ...}.
     */
    public static String problem(DecodeException e) {
        String message = String.valueOf(e.getMessage());
        Matcher at = LOCATION.matcher(message);
        String where = "";
        while (at.find()) {
            where = " at line " + at.group(1) + ", column " + at.group(2);
        }
        String first = message.split("\n")[0].replaceAll("\\s*\\(start marker at \\[Source.*", "")
                .replaceFirst("^Failed to decode:\\s*", "");
        return where + ": " + first;
    }
}
