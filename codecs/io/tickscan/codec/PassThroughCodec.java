package io.tickscan.codec;

import io.vertx.core.eventbus.MessageCodec;

/**
 * A codec of an immutable message: local delivery passes the very instance (no copy); subclasses write and read
 * the wire form for other nodes.
 *
 * @param <T> the message type
 */
abstract class PassThroughCodec<T> implements MessageCodec<T, T> {
    private final String name;

    PassThroughCodec(String name) {
        this.name = name;
    }

    @Override
    public final T transform(T message) {
        return message;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final byte systemCodecID() {
        return -1;
    }
}
