package dev.ssekit.spi;

import dev.ssekit.internal.Checks;
import dev.ssekit.internal.Json;

import java.util.function.Function;

/**
 * Turns a hub's values into event data and back. A hub encodes each published value once, whatever
 * the number of subscribers; it decodes only to apply a subscriber's filter to events that were
 * published as events or are being replayed.
 *
 * <p>Implementations must be thread-safe.
 *
 * @param <T> the value type
 */
public interface Codec<T> {
    /**
     * @param value the value
     * @return its event data
     */
    String encode(T value);

    /**
     * @param data event data this codec encoded
     * @return the value
     */
    T decode(String data);

    /** @return the codec that passes strings through unchanged */
    static Codec<String> text() {
        return of(Function.identity(), Function.identity());
    }

    /**
     * @param type the value type
     * @param <T>  the value type
     * @return a JSON-B codec for {@code type}; needs a JSON-B implementation at run time
     */
    static <T> Codec<T> json(Class<T> type) {
        Checks.notNull(type, "type");
        return of(value -> Json.jsonb().toJson(value), data -> Json.jsonb().fromJson(data, type));
    }

    /**
     * @param encoder value to data
     * @param decoder data to value
     * @param <T>     the value type
     * @return a codec of the two functions
     */
    static <T> Codec<T> of(Function<? super T, String> encoder, Function<String, ? extends T> decoder) {
        Checks.notNull(encoder, "encoder");
        Checks.notNull(decoder, "decoder");
        return new Codec<>() {
            @Override
            public String encode(T value) {
                return encoder.apply(value);
            }

            @Override
            public T decode(String data) {
                return decoder.apply(data);
            }
        };
    }

    /**
     * @param type the value type
     * @param <T>  the value type
     * @return {@link #text()} for {@code String}, {@link #json(Class)} otherwise
     */
    @SuppressWarnings("unchecked")
    static <T> Codec<T> forType(Class<T> type) {
        return type == String.class ? (Codec<T>) text() : json(type);
    }
}
