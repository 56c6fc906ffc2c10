/**
 * The wire contract between verticles: every event-bus address ({@link io.tickscan.codec.Addresses}), the
 * immutable messages that travel on them and their binary codecs. Depends on Vert.x core's buffer and event bus
 * only.
 */
package io.tickscan.codec;
