package io.tickscan.web.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickscan.web.OriginGuard;
import io.tickscan.web.TokenGuard;
import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeGuardTest {
    static final String TOKEN = "secret-secret-secret";

    static MultiMap headers(String... pairs) {
        MultiMap map = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < pairs.length; i += 2) {
            map.add(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    @Test
    void aTokenIsNeededInTheHeaderOrTheQueryWhenOneIsSet() {
        HandshakeGuard guard = new HandshakeGuard(new TokenGuard(TOKEN), new OriginGuard(List.of()));
        assertThat(guard.check("/ws/alerts", headers(), null)).isEqualTo(401);
        assertThat(guard.check("/ws/alerts", headers(), "token=secret")).isEqualTo(401);
        assertThat(guard.check("/ws/alerts", headers("authorization", "Basic " + TOKEN), null)).isEqualTo(401);
        assertThat(guard.check("/ws/alerts", headers("authorization", "Bearer " + TOKEN), null)).isZero();
        assertThat(guard.check("/ws/alerts", headers("authorization", "bearer " + TOKEN), null)).isZero();
        assertThat(guard.check("/ws/alerts", headers(), "resume=x&token=" + TOKEN)).isZero();
        assertThat(guard.check("/ws/other", headers(), "token=" + TOKEN)).isEqualTo(404);
        assertThat(new HandshakeGuard(new TokenGuard(""), new OriginGuard(List.of())).check("/ws/alerts", headers(), null)).isZero();
    }

    @Test
    void withoutAllowedOriginsOnlyTheNodesOwnOriginPasses() {
        HandshakeGuard guard = new HandshakeGuard(new TokenGuard(""), new OriginGuard(List.of()));
        assertThat(guard.check("/ws/alerts", headers("host", "node:8080", "origin", "http://node:8080"), null)).isZero();
        assertThat(guard.check("/ws/alerts", headers("host", "NODE", "origin", "https://node:443"), null)).isZero();
        assertThat(guard.check("/ws/alerts", headers("host", "node:8080", "origin", "http://node:8081"), null))
                .isEqualTo(403);
        assertThat(guard.check("/ws/alerts", headers("host", "node:8080", "origin", "http://evil:8080"), null))
                .isEqualTo(403);
        assertThat(guard.check("/ws/alerts", headers("host", "node:8080", "origin", "null"), null)).isEqualTo(403);
        assertThat(guard.check("/ws/alerts", headers("host", "node:8080"), null)).as("not a browser").isZero();
    }

    @Test
    void allowedOriginsAreTheOnlyOnesThatPass() {
        HandshakeGuard guard = new HandshakeGuard(new TokenGuard(""), 
                new OriginGuard(List.of("https://scanner.example.com", "http://ui:3000")));
        assertThat(guard.check("/ws/alerts", headers("host", "node:8080", "origin", "https://Scanner.example.com:443"),
                null)).isZero();
        assertThat(guard.check("/ws/alerts", headers("host", "ui:3000", "origin", "http://ui:3000"), null)).isZero();
        assertThat(guard.check("/ws/alerts", headers("host", "node:8080", "origin", "http://node:8080"), null))
                .isEqualTo(403);
    }

    @Test
    void anOriginThatIsNotSchemeHostAndPortNeverPasses() {
        HandshakeGuard guard = new HandshakeGuard(new TokenGuard(""), new OriginGuard(List.of("http://my_host:8080")));
        assertThat(guard.check("/ws/alerts", headers("origin", "http://my_host:8080"), null)).isZero();
        for (String origin : new String[] {"null", "file://", "http://my_host:8080/page", "javascript:x"}) {
            assertThat(guard.check("/ws/alerts", headers("origin", origin), null)).as(origin).isEqualTo(403);
        }
        assertThat(new HandshakeGuard(new TokenGuard(""), new OriginGuard(List.of()))
                .check("/ws/alerts", headers("origin", "null", "host", "127.0.0.1:8080"), null)).isEqualTo(403);
        assertThatThrownBy(() -> new OriginGuard(List.of("https://ok.example", "not an origin")))
                .hasMessageContaining("http.allowed_origins").hasMessageContaining("'not an origin'");
    }
}
