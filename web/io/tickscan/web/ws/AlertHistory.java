package io.tickscan.web.ws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last {@code capacity} alerts a web instance received, oldest evicted first: for {@code GET /api/alerts} and
 * for resuming a websocket. Confined to the instance's event loop. Alerts are indexed by id, so that a storm of
 * reconnecting clients costs a lookup each, not a scan of the history.
 */
final class AlertHistory {
    private final EncodedAlert[] ring;
    private final Map<String, Long> positions = new HashMap<>();
    private long added;
    private int next;
    private int size;

    AlertHistory(int capacity) {
        ring = new EncodedAlert[capacity];
    }

    void add(EncodedAlert alert) {
        if (ring.length == 0) {
            return;
        }
        if (size == ring.length) {
            positions.remove(ring[next].alert().alertId(), added - ring.length);
        }
        positions.put(alert.alert().alertId(), added++);
        ring[next] = alert;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    int size() {
        return size;
    }

    /** The oldest alert kept, or null when none. */
    EncodedAlert oldest() {
        return size == 0 ? null : at(0);
    }

    /** The alerts after the newest one with id {@code alertId}, oldest first; null when it is not kept. */
    List<EncodedAlert> after(String alertId) {
        Long position = positions.get(alertId);
        if (position == null) {
            return null;
        }
        int i = (int) (position - (added - size));
        List<EncodedAlert> missed = new ArrayList<>(size - 1 - i);
        for (int j = i + 1; j < size; j++) {
            missed.add(at(j));
        }
        return missed;
    }

    /** The alerts the query selects, newest first. */
    List<EncodedAlert> select(HistoryQuery query) {
        List<EncodedAlert> selected = new ArrayList<>(Math.min(query.limit(), size));
        for (int i = size - 1; i >= 0 && selected.size() < query.limit(); i--) {
            EncodedAlert alert = at(i);
            if (query.selects(alert.alert())) {
                selected.add(alert);
            }
        }
        return selected;
    }

    /** The i-th alert kept, 0 the oldest. */
    private EncodedAlert at(int i) {
        int start = size < ring.length ? 0 : next;
        return ring[(start + i) % ring.length];
    }
}
