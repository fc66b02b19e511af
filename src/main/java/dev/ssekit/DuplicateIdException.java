package dev.ssekit;

/**
 * Thrown when an event is published with an id that history already holds: ids are unique, so that
 * a reconnecting client's {@code Last-Event-ID} names one event.
 */
public final class DuplicateIdException extends SseKitException {
    private static final long serialVersionUID = 1L;

    private final String id;

    /**
     * @param id the id that is already used
     */
    public DuplicateIdException(String id) {
        super("id \"" + id + "\" is already used in the history");
        this.id = id;
    }

    /** @return the id that is already used */
    public String id() {
        return id;
    }
}
