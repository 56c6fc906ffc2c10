/**
 * A node's configuration: defaults in the jar, an optional file, environment overrides, validated against the
 * shipped JSON Schema with messages that name the key; and the schema helper shared with the rules files.
 */
package io.tickscan.config;
