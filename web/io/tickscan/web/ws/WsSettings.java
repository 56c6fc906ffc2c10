package io.tickscan.web.ws;

import io.vertx.core.json.JsonObject;

/**
 * The websocket settings, read from the {@code http.*} configuration ({@code http.ws.*}, plus {@code node}, the
 * node's id that the composition root puts in).
 */
record WsSettings(String node, int frameMs, int frameAlerts, int queueAlerts, long slowCloseMs, int historyAlerts,
                  long pingMs, int maxMessageBytes, int maxBadMessages) {

    /** Client messages (and frames) larger than this are refused by the protocol layer (close 1009). */
    static final int MIN_FRAME_BYTES = 65_536;

    static WsSettings of(JsonObject http) {
        JsonObject ws = http.getJsonObject("ws");
        return new WsSettings(http.getString("node", ""), ws.getInteger("frame_ms"), ws.getInteger("frame_alerts"),
                ws.getInteger("queue_alerts"), ws.getLong("slow_close_ms"), ws.getInteger("history_alerts"),
                ws.getLong("ping_ms"), ws.getInteger("max_message_bytes"), ws.getInteger("max_bad_messages"));
    }

    /**
     * The server's largest websocket frame and message: well above {@code max_message_bytes}, so that a message
     * a little too large gets an error frame, and at least 64 KiB, since it also cuts outgoing alert frames.
     */
    int maxFrameBytes() {
        return Math.max(MIN_FRAME_BYTES, 2 * maxMessageBytes);
    }
}
