package dev.ssekit.internal.conn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The client's address: from a registered source first, else from CDI (none in this test: unknown). */
class ClientAddressTest {
    @Test
    void current_withoutSourceOrCdi_isUnknown() {
        assertNull(ClientAddress.current());
    }

    @Test
    void current_asksRegisteredSources_andTheNextWhereOneServesNoRequest() {
        Runnable none = ClientAddress.register(() -> null);
        Runnable some = ClientAddress.register(() -> "192.0.2.7");
        try {
            assertEquals("192.0.2.7", ClientAddress.current());
        } finally {
            some.run();
        }
        try {
            assertNull(ClientAddress.current(), "removed: the source is no longer asked");
        } finally {
            none.run();
        }
    }
}
