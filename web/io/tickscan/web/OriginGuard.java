package io.tickscan.web;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The origins a browser may act from ({@code http.allowed_origins}): when the list is empty, the node's own
 * origin only, that is an {@code Origin} whose host and port are the request's {@code Host}. Checked in the
 * websocket handshake and on every REST operation that changes something, so that a page of another site can
 * neither read alerts nor change rules or post ticks through a visitor's browser. A request without
 * {@code Origin} does not come from a browser's cross-site request and passes; an {@code Origin} that is not a
 * plain {@code scheme://host[:port]} (such as {@code null}, sent by sandboxed pages) never passes.
 *
 * <p>The own-origin default trusts the {@code Host} header, which DNS rebinding can set: a node reachable from
 * browsers on other hosts should list its origins or set {@code http.token}.
 */
public final class OriginGuard {
    private static final Pattern ORIGIN = Pattern.compile(
            "(?i)(https?)://([a-z0-9._~%-]+|\\[[0-9a-f:.]+])(?::(\\d{1,5}))?/?");
    private final Set<String> allowed;

    /**
     * @param allowedOrigins origins such as {@code https://scanner.example.com:8443}; empty for the node's own
     * @throws IllegalArgumentException naming {@code http.allowed_origins} and the entry that is not an origin
     */
    public OriginGuard(List<String> allowedOrigins) {
        for (String origin : allowedOrigins) {
            if (normal(origin) == null) {
                throw new IllegalArgumentException("http.allowed_origins: '" + Echo.cut(origin) + "' is not an "
                        + "origin such as https://scanner.example.com:8443");
            }
        }
        this.allowed = allowedOrigins.stream().map(OriginGuard::normal).collect(Collectors.toSet());
    }

    /** True when {@code origin} is absent or allowed, for a request sent to {@code host} (its Host header). */
    public boolean admits(String origin, String host) {
        if (origin == null) {
            return true;
        }
        String normal = normal(origin);
        if (normal == null) {
            return false;
        }
        if (!allowed.isEmpty()) {
            return allowed.contains(normal);
        }
        return host != null && normal.equals(normal(normal.substring(0, normal.indexOf("://")) + "://" + host));
    }

    /** {@code scheme://host[:port]} in lower case without the scheme's default port; null when not an origin. */
    static String normal(String origin) {
        Matcher m = ORIGIN.matcher(origin.strip());
        if (!m.matches()) {
            return null;
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        String port = m.group(3);
        boolean defaultPort = port == null || scheme.equals("http") && port.equals("80")
                || scheme.equals("https") && port.equals("443");
        return scheme + "://" + m.group(2).toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + Integer.parseInt(port));
    }
}
