package io.tickscan.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The files that ship in the jar under {@code tickscan/}: the defaults a node runs with, and the schemas. */
final class Bundled {
    /** The complete default configuration, a copy of {@code conf/tickscan.json}. */
    static final String DEFAULTS = "tickscan/tickscan.json";
    /** Its schema, a copy of {@code conf/tickscan.schema.json}. */
    static final String SCHEMA = "tickscan/tickscan.schema.json";
    /** The rules a node starts with when {@code rules.file} is empty, a copy of {@code conf/rules.json}. */
    static final String RULES = "tickscan/rules.json";
    /** The Hazelcast configuration when {@code cluster.config} is empty, a copy of {@code conf/cluster.xml}. */
    static final String CLUSTER = "tickscan/cluster.xml";

    private Bundled() {
    }

    /** The text of a resource of the jar. */
    static String text(String resource) {
        try (InputStream in = Bundled.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing " + resource + " on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
