package io.tickscan.web.ws;

import io.tickscan.codec.Alert;
import io.tickscan.codec.AlertJson;

/**
 * An alert and its JSON text, encoded at most once per web instance, when a client first needs it, and shared by
 * every client's frames: an instance with no client to send an alert to never encodes it. Used on its web
 * instance's event loop only.
 */
final class EncodedAlert {
    private final Alert alert;
    private String json;

    private EncodedAlert(Alert alert, String json) {
        this.alert = alert;
        this.json = json;
    }

    /** An alert whose JSON is made when first asked for. */
    static EncodedAlert of(Alert alert) {
        return new EncodedAlert(alert, null);
    }

    /** An alert whose JSON text is already at hand ({@code AlertJson} of it). */
    static EncodedAlert of(Alert alert, String json) {
        return new EncodedAlert(alert, json);
    }

    Alert alert() {
        return alert;
    }

    /** The alert as {@code AlertJson} text. */
    String json() {
        if (json == null) {
            json = AlertJson.of(alert).encode();
        }
        return json;
    }
}
