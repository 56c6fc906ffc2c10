package io.tickscan.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NodeConfigLoaderTest {
    private static JsonObject shipped() throws Exception {
        return new JsonObject(Files.readString(Path.of("conf/tickscan.json")));
    }

    @Test
    void theShippedConfigurationIsValid() throws Exception {
        assertThat(NodeConfigLoader.validate(shipped()).partitions()).isEqualTo(256);
    }

    @Test
    void environmentVariablesOverrideTheKeyTheyNameWithItsType() throws Exception {
        JsonObject env = new JsonObject().put("TICKSCAN_HTTP_PORT", "9090")
                .put("TICKSCAN_SOURCES_SIMULATOR_TICKS_PER_SECOND", "100000")
                .put("TICKSCAN_CLUSTER_ENABLED", "false").put("PATH", "/usr/bin").put("http_proxy", "x");
        JsonObject merged = NodeConfigLoader.withEnvironment(shipped(), env);
        assertThat(merged.getJsonObject("http").getValue("port")).isEqualTo(9090L);
        assertThat(merged.getJsonObject("sources").getJsonObject("simulator").getLong("ticks_per_second"))
                .isEqualTo(100_000);
        assertThat(merged.getJsonObject("cluster").getBoolean("enabled")).isFalse();
        assertThat(merged.fieldNames()).doesNotContain("PATH", "http_proxy");
        assertThat(NodeConfigLoader.validate(merged).http().getInteger("port")).isEqualTo(9090);
    }

    @Test
    void everyWrongSettingIsNamed() throws Exception {
        assertThatThrownBy(() -> NodeConfigLoader.withEnvironment(shipped(), new JsonObject()
                .put("TICKSCAN_HTTP_PORT", "eighty").put("TICKSCAN_NOPE", "1")))
                .hasMessageContaining("TICKSCAN_HTTP_PORT (http.port): 'eighty' is not a whole number")
                .hasMessageContaining("TICKSCAN_NOPE: no such setting");
        JsonObject bad = shipped();
        bad.getJsonObject("http").put("port", 70_000);
        bad.getJsonObject("scanner").put("threading", "fibers");
        bad.getJsonObject("engine").put("session_zone", "Mars/Olympus");
        bad.put("extra", true);
        assertThatThrownBy(() -> NodeConfigLoader.validate(bad))
                .hasMessageContaining("http.port: ")
                .hasMessageContaining("scanner.threading: ")
                .hasMessageContaining("extra: unknown property");
        JsonObject zone = shipped();
        zone.getJsonObject("engine").put("session_zone", "Mars/Olympus");
        assertThatThrownBy(() -> NodeConfigLoader.validate(zone))
                .hasMessageContaining("engine.session_zone: unknown zone 'Mars/Olympus'");
    }
}
