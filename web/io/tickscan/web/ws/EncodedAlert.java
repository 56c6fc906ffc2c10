package io.tickscan.web.ws;

import io.tickscan.codec.Alert;
import io.tickscan.codec.AlertJson;

/** An alert and its JSON text, encoded once per web instance and shared by every client's frames. */
record EncodedAlert(Alert alert, String json) {

    static EncodedAlert of(Alert alert) {
        return new EncodedAlert(alert, AlertJson.of(alert).encode());
    }
}
