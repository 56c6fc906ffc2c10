package io.tickscan.web.ws;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.tickscan.web.TokenGuard;
import io.vertx.core.MultiMap;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

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
    private final Set<String> allowedOrigins;

    /**
     * @param token          the node's token ({@code http.token})
     * @param allowedOrigins origins such as {@code https://scanner.example.com:8443}; empty: the node's own
     */
    HandshakeGuard(TokenGuard token, List<String> allowedOrigins) {
        this.token = token;
        this.allowedOrigins = allowedOrigins.stream().map(HandshakeGuard::normalOrigin).collect(Collectors.toSet());
    }

    /** {@link #ACCEPT}, or the status to refuse the handshake with. */
    int check(String path, MultiMap headers, String query) {
        if (!PATH.equals(path)) {
            return 404;
        }
        if (!token.admits(headers.get("authorization"), parameter(query, "token"))) {
            return 401;
        }
        String origin = headers.get("origin");
        if (origin != null && !originAllowed(origin, headers.get("host"))) {
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

    private boolean originAllowed(String origin, String host) {
        String normal = normalOrigin(origin);
        if (!allowedOrigins.isEmpty()) {
            return allowedOrigins.contains(normal);
        }
        if (host == null || normal == null) {
            return false;
        }
        String scheme = normal.substring(0, normal.indexOf("://"));
        return normal.equals(normalOrigin(scheme + "://" + host));
    }

    /** {@code scheme://host[:port]} in lower case without the scheme's default port; null when not an origin. */
    private static String normalOrigin(String origin) {
        try {
            URI uri = new URI(origin.strip());
            String scheme = uri.getScheme();
            if (scheme == null || uri.getHost() == null || uri.getRawPath() != null && !uri.getRawPath().isEmpty()
                    && !uri.getRawPath().equals("/")) {
                return null;
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            boolean defaultPort = port == -1 || scheme.equals("http") && port == 80
                    || scheme.equals("https") && port == 443;
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
