package io.tickscan.web.ws;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.tickscan.web.OriginGuard;
import io.tickscan.web.TokenGuard;
import io.vertx.core.MultiMap;
import java.util.List;

/**
 * Decides a websocket handshake: 404 for a path other than {@value #PATH}; 401 without the token when
 * {@code http.token} is set (header {@code Authorization: Bearer <token>} or query {@code ?token=}, compared in
 * constant time); 403 for a browser {@code Origin} that is neither in {@code http.allowed_origins} nor, when that
 * list is empty, the node's own origin (the {@code Host} the request was sent to). A handshake without
 * {@code Origin} does not come from a browser and passes the origin check.
 */
final class HandshakeGuard {
    static final String PATH = "/ws/alerts";
    static final int ACCEPT = 0;
    private final TokenGuard token;
    private final OriginGuard origins;

    /**
     * @param token          the node's token ({@code http.token})
     * @param origins        the origins a browser may connect from
     */
    HandshakeGuard(TokenGuard token, OriginGuard origins) {
        this.token = token;
        this.origins = origins;
    }

    /** {@link #ACCEPT}, or the status to refuse the handshake with. */
    int check(String path, MultiMap headers, String query) {
        if (!PATH.equals(path)) {
            return 404;
        }
        if (!token.admits(headers.get("authorization"), parameter(query, "token"))) {
            return 401;
        }
        if (!origins.admits(headers.get("origin"), headers.get("host"))) {
            return 403;
        }
        return ACCEPT;
    }

    /** The value of the query parameter {@code name} of {@code query} (without {@code ?}), or null. */
    static String parameter(String query, String name) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        List<String> values = new QueryStringDecoder(query, false).parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
