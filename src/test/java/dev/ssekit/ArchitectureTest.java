package dev.ssekit;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The boundaries the design relies on, checked on the compiled classes: in a WAR everything is on
 * one class path, so nothing else would enforce them.
 */
class ArchitectureTest {
    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.ssekit");
    }

    @Test
    void library_importsNoContainerImplementation() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.ssekit..")
                .and().resideOutsideOfPackage("dev.ssekit.app.embedded..")
                .should().dependOnClassesThat().resideInAnyPackage("org.glassfish.jersey..", "org.glassfish.grizzly..",
                        "org.jboss.weld..", "org.glassfish.hk2..", "org.jvnet.hk2..", "org.jboss.resteasy..",
                        "io.undertow..", "org.apache.catalina..", "com.sun.enterprise..")
                .because("the library and the hub WAR run on any Jakarta EE server; only the embedded hub's "
                        + "launcher may use Jersey, Grizzly and Weld SE");
        rule.check(main);
    }

    @Test
    void engine_doesNotReachIntoTheHubApp() {
        ArchRule rule = noClasses().that().resideInAnyPackage("dev.ssekit", "dev.ssekit.internal..",
                        "dev.ssekit.history..")
                .should().dependOnClassesThat().resideInAPackage("dev.ssekit.app..")
                .because("the hub app is built on the library, never the other way round");
        rule.check(main);
    }

    @Test
    void hubApp_usesThePublicApiOnly() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.ssekit.app..")
                .and().resideOutsideOfPackage("dev.ssekit.app.embedded")
                .should().dependOnClassesThat().resideInAPackage("dev.ssekit.internal..")
                .because("the hub app is a user of the library: what it needs, every user may need, "
                        + "so it belongs in the public API");
        rule.check(main);
    }

    @Test
    void embeddedHub_reachesOnlyTheTransportHook() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.ssekit.app.embedded")
                .should().dependOnClassesThat(com.tngtech.archunit.core.domain.JavaClass.Predicates
                        .resideInAPackage("dev.ssekit.internal..")
                        .and(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage(
                                "dev.ssekit.internal.conn")))
                .because("the embedded hub hosts ssekit on Grizzly, whose non-blocking output the library "
                        + "cannot reach portably: it plugs that output into the engine (Outlets, "
                        + "NonBlockingOutput), and uses nothing else inside");
        rule.check(main);
    }

    @Test
    void jta_isUsedOnlyBehindItsProbe() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.ssekit..")
                .and().resideOutsideOfPackage("dev.ssekit.internal.tx..")
                .and().doNotHaveFullyQualifiedName("dev.ssekit.Topics$Builder")
                .should().dependOnClassesThat().resideInAPackage("jakarta.transaction..")
                .because("JTA is optional at run time (the embedded hub has none): only dev.ssekit.internal.tx "
                        + "touches it, once it is known to be there, and Topics.Builder#transactions names its type");
        rule.check(main);
    }

    @Test
    void postgresDriver_isNamedOnlyByTheNotificationsWrapper() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.ssekit..")
                .and().doNotHaveFullyQualifiedName("dev.ssekit.history.PgNotifications")
                .should().dependOnClassesThat().resideInAPackage("org.postgresql..")
                .because("the PostgreSQL driver is optional at run time (provided scope; H2 users have none): "
                        + "only PgNotifications names it, and it is loaded only on a PostgreSQL database");
        rule.check(main);
    }

    @Test
    void storesAndConnections_knowNothingOfRouting() {
        ArchRule rule = noClasses().that().resideInAnyPackage("dev.ssekit.history..", "dev.ssekit.internal",
                        "dev.ssekit.internal.conn..", "dev.ssekit.internal.wire..", "dev.ssekit.internal.metrics..")
                .should().dependOnClassesThat().resideInAPackage("dev.ssekit.internal.dispatch..")
                .because("history stores and connections are used by the dispatch engine, not the reverse");
        rule.check(main);
    }

    @Test
    void wire_knowsNothingOfConnections() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.ssekit.internal.wire..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.ssekit.internal.conn..",
                        "dev.ssekit.history..")
                .because("framing is a pure function of an event; connections use it, not the reverse");
        rule.check(main);
    }
}
