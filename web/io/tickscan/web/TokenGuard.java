package io.tickscan.web;

import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The node's optional token ({@code http.token}): when set, a request carries it as
 * {@code Authorization: Bearer <token>}, or as the query parameter {@code token} where a client cannot set
 * headers (a browser's websocket). Compared in constant time.
 */
public final class TokenGuard {
    private final byte[] token;

    /** @param token the configured token; empty for none */
    public TokenGuard(String token) {
        this.token = token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /** True when the node has a token. */
    public boolean required() {
        return token != null;
    }

    /** True when no token is configured, or the request carries it. */
    public boolean admits(HttpServerRequest request) {
        return admits(request.getHeader("authorization"), request.getParam("token"));
    }

    /**
     * True when no token is configured, or it is given as {@code authorization} ({@code Bearer <token>}) or as
     * {@code parameter} (the query parameter {@code token}); either may be null.
     */
    public boolean admits(String authorization, String parameter) {
        if (token == null) {
            return true;
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                && matches(authorization.substring(7).strip())) {
            return true;
        }
        return matches(parameter);
    }

    private boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }
}
