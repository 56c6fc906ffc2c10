package io.tickscan.web.ws;

import io.tickscan.codec.Alert;
import java.util.List;

/** Alerts for the unit tests. */
final class Alerts {
    private Alerts() {
    }

    static EncodedAlert encoded(String rule, String symbol, long ts) {
        return EncodedAlert.of(new Alert(rule + ":" + symbol + ":" + ts, rule, rule.toUpperCase(), symbol, ts, 10.5,
                List.of("last"), new double[] {10.5}));
    }
}
