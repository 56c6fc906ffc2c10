package io.tickscan.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedisClientsTest {
    @ParameterizedTest(name = "{0} is shown as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            redis://127.0.0.1:6379                 | redis://127.0.0.1:6379
            redis://:secret@127.0.0.1:6379/2       | redis://:***@127.0.0.1:6379/2
            redis://user:secret@redis.example:6379 | redis://user:***@redis.example:6379
            rediss://secret@redis.example:6380     | rediss://***@redis.example:6380
            unix:///run/redis.sock                 | unix:///run/redis.sock
            """)
    void hidesThePasswordOfAUrl(String url, String shown) {
        assertThat(RedisClients.redacted(url)).isEqualTo(shown);
    }
}
