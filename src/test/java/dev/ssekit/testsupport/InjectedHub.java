package dev.ssekit.testsupport;

import dev.ssekit.Hub;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The application's injected hub, for tests that publish or count without HTTP. */
@ApplicationScoped
public class InjectedHub {
    @Inject
    Hub hub;

    public Hub hub() {
        return hub;
    }
}
